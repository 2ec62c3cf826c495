package test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/web"
	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/test/bed"
	"github.com/diskd-actors/diskd-actors/test/webdriver"
)

// The web listener (http.listen) of real daemons on lo: /metrics read as
// Prometheus reads it, and the page driven in headless Chromium.

// webBed starts daemons on lo, the first with http.listen on a port the
// kernel picks, and returns the bed and that daemon's base URL once every
// daemon lists every disk.
func webBed(t *testing.T, opts bed.Options) (*bed.Bed, string) {
	t.Helper()
	opts.Race, opts.Tags = build.Race, build.Tags
	opts.Announce, opts.PeerTimeout = defaultAnnounce, defaultPeerTimeout
	prev := opts.Configure
	opts.Configure = func(i int, c *config.Config) {
		if i == 0 {
			c.HTTP.Listen = "127.0.0.1:0"
		}
		if prev != nil {
			prev(i, c)
		}
	}
	b := bed.New(t, opts)
	want := b.TotalDisks()
	for _, h := range b.Hosts {
		bed.WaitFor(t, 30*time.Second, h.Name+" lists every disk", func() (bool, error) {
			ds, err := h.List()
			return len(ds) == want, err
		})
	}
	var st struct {
		HTTP *struct {
			Address string `json:"address"`
		} `json:"http"`
	}
	if err := b.Hosts[0].QueryJSON("status", &st); err != nil {
		t.Fatal(err)
	}
	if st.HTTP == nil || st.HTTP.Address == "" {
		t.Fatalf("status shows no http address: %+v", st.HTTP)
	}
	return b, "http://" + st.HTTP.Address
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// sample returns the value of one sample line ("name{labels} value"), or
// -1 when absent.
func sample(text, series string) float64 {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`)
	m := re.FindStringSubmatch(text)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func TestWeb_MetricsOfRealDaemons(t *testing.T) {
	_, base := webBed(t, bed.Options{Hosts: 2})
	code, text := get(t, base+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics: %d\n%s", code, text)
	}
	for _, name := range web.MetricNames() {
		if !strings.Contains(text, "# HELP "+name+" ") || !strings.Contains(text, "# TYPE "+name+" ") {
			t.Errorf("/metrics lacks %s (HELP and TYPE)", name)
		}
	}
	for series, atLeast := range map[string]float64{
		`diskd_status_up`:                                     1,
		`diskd_peers{state="alive"}`:                          1,
		`diskd_disks{scope="local"}`:                          2,
		`diskd_disks{scope="peers"}`:                          2,
		`diskd_datagrams_received_total{kind="announce"}`:     1,
		`diskd_datagrams_sent_total{kind="chunk"}`:            1,
		`diskd_scan_runs_total{outcome="ok",source="blkid"}`:  1,
		`diskd_scan_runs_total{outcome="ok",source="mounts"}`: 1,
		`diskd_actor_restarts_total{actor="info"}`:            0,
		`diskd_actor_restarts_total{actor="http"}`:            0,
		`diskd_sessions_open`:                                 0,
		`diskd_http_requests_total`:                           1,
		`diskd_link_up`:                                       1,
		`process_resident_memory_bytes`:                       1,
	} {
		if v := sample(text, series); v < atLeast {
			t.Errorf("%s = %v, want at least %v", series, v, atLeast)
		}
	}
	// The daemon's debug-session count does not include the web page's
	// own subscription.
	if v := sample(text, "diskd_debug_streams"); v != 0 {
		t.Errorf("diskd_debug_streams = %v with no debug session, want 0", v)
	}
	if code, _ := get(t, base+"/api/search?q="+strings.Repeat("x", web.MaxQuery+1)); code != http.StatusBadRequest {
		t.Errorf("an over-long query: HTTP %d, want 400", code)
	}
}

func TestWeb_ListenTakenIsAClearError(t *testing.T) {
	_, base := webBed(t, bed.Options{Hosts: 1})
	taken := strings.TrimPrefix(base, "http://")
	b := bed.New(t, bed.Options{Hosts: bed.NoHosts, Race: build.Race, Tags: build.Tags, DeferStart: true})
	h, err := b.AddHost(bed.HostOptions{Configure: func(c *config.Config) { c.HTTP.Listen = taken }})
	if err == nil {
		t.Fatalf("a daemon started on the taken http.listen %s", taken)
	}
	if err := h.Wait(30 * time.Second); h.Running() {
		t.Fatal(err)
	}
	if code := h.ExitCode(); code != 2 {
		t.Errorf("exit code %d, want 2 (an error at start)", code)
	}
	if log := h.Log(); !strings.Contains(log, `http.listen "`+taken+`": cannot listen`) {
		t.Errorf("the log does not name http.listen and the address:\n%s", log)
	}
}

// The demo gives demo1 a web page on a free port and says where.
func TestWeb_DemoNamesItsPage(t *testing.T) {
	out, err := exec.Command(bin, "demo", "--check", "--nodes", "2", "--port", strconv.Itoa(freeUDPPort(t)), "--dir", t.TempDir()).CombinedOutput()
	if err != nil {
		t.Fatalf("demo --check: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`The web page of demo1: http://127\.0\.0\.1:[1-9][0-9]*/ `).Match(out) {
		t.Errorf("the demo does not name its web page:\n%s", out)
	}
}

// waitText polls the text of the first element matching css until ok
// holds.
func waitText(t *testing.T, br *webdriver.Browser, css, what string, ok func(string) bool) string {
	t.Helper()
	var last string
	bed.WaitFor(t, 30*time.Second, what, func() (bool, error) {
		el, err := br.Find(css)
		if err == webdriver.ErrNoElement {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if last, err = br.Text(el); err != nil {
			return false, nil // the page re-rendered between Find and Text
		}
		return ok(last), nil
	})
	return last
}

// hostileLabel would run script if the page used innerHTML.
const hostileLabel = `<img src=x onerror="document.title='pwned'">`

func TestWeb_BrowserFindsAPeersDiskAndSeesItGoDown(t *testing.T) {
	if why := webdriver.Missing(); why != "" {
		t.Skip("no browser test: " + why)
	}
	b, base := webBed(t, bed.Options{Hosts: 2, Disks: func(i int) []bed.Disk {
		ds := bed.Disks(i, 2)
		if i == 1 {
			ds = append(ds, bed.Disk{Device: "/dev/disk/bed/evil", UUID: bed.UUID(1, 9), Label: hostileLabel, Type: "ext4"})
		}
		return ds
	}})
	a, peer := b.Hosts[0], b.Hosts[1]
	br, err := webdriver.Start(t.TempDir(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	if err := br.Go(base + "/"); err != nil {
		t.Fatal(err)
	}
	// A mark on the page: still there at the end, so it was never reloaded.
	if err := br.Script(`window.diskdMark = "same page"; return true`, nil); err != nil {
		t.Fatal(err)
	}
	hostState := fmt.Sprintf(`#hosts .host[data-node="%s"] .state`, peer.Name)
	waitText(t, br, hostState, peer.Name+" shown alive", func(s string) bool { return s == "ALIVE" || s == "alive" })
	waitText(t, br, "#live", "the event stream live", func(s string) bool { return s == "live" })

	q, err := br.Find("#q")
	if err != nil {
		t.Fatal(err)
	}
	label := bed.Disks(1, 2)[1].Label // "h1 disk 1"
	if err := br.Type(q, label[:len(label)-3]); err != nil {
		t.Fatal(err)
	}
	row := fmt.Sprintf(`#results tr.result[data-node="%s"]`, peer.Name)
	got := waitText(t, br, row, "a search result naming "+peer.Name, func(s string) bool { return strings.Contains(s, label[:len(label)-3]) })
	if !strings.Contains(got, peer.Name) {
		t.Errorf("the result %q does not name %s", got, peer.Name)
	}

	// The hostile label is shown as text, and ran nothing.
	var shown struct {
		Text  bool   `json:"text"`
		Imgs  int    `json:"imgs"`
		Title string `json:"title"`
	}
	if err := br.Script(`return {text: document.getElementById('hosts').textContent.includes(arguments[0]),
		imgs: document.querySelectorAll('img').length, title: document.title}`, &shown, hostileLabel); err != nil {
		t.Fatal(err)
	}
	if !shown.Text || shown.Imgs != 0 || shown.Title == "pwned" {
		t.Errorf("the hostile label: shown as text %v, <img> elements %d, title %q; want true, 0, not pwned", shown.Text, shown.Imgs, shown.Title)
	}

	if err := peer.Stop(); err != nil {
		t.Fatal(err)
	}
	waitText(t, br, hostState, peer.Name+" shown down", func(s string) bool { return strings.HasPrefix(strings.ToLower(s), "down") })
	waitText(t, br, row+".gone", "the search result moved to last seen", func(s string) bool { return strings.Contains(s, "gone") })
	var mark string
	if err := br.Script(`return window.diskdMark || ""`, &mark); err != nil {
		t.Fatal(err)
	}
	if mark != "same page" {
		t.Errorf("the page was reloaded (mark %q)", mark)
	}
	if !a.Running() {
		t.Errorf("%s stopped", a.Name)
	}
}

// TestWeb_Screenshot renders docs/web-page.png (the README's picture) from
// a few demo hosts: DISKD_WEB_SCREENSHOT=$PWD/docs/web-page.png.
func TestWeb_Screenshot(t *testing.T) {
	out := os.Getenv("DISKD_WEB_SCREENSHOT")
	if out == "" {
		t.Skip("renders the README's screenshot: set DISKD_WEB_SCREENSHOT=/path/web-page.png")
	}
	if why := webdriver.Missing(); why != "" {
		t.Skip("no screenshot: " + why)
	}
	names := []string{"nas1", "desk", "laptop"}
	disks := [][]bed.Disk{
		{{Device: "/dev/sda1", UUID: "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c", Label: "root", Type: "ext4", MountPoint: "/"},
			{Device: "/dev/sdb1", UUID: "8a6e4f2d-1c3b-4a5e-8f7d-2b9c0e1d3f4a", Label: "backup 2026", Type: "xfs", MountPoint: "/srv/backup"},
			{Device: "/dev/sdc1", UUID: "5D2A-91F0", Label: "camera", Type: "vfat"}},
		{{Device: "/dev/nvme0n1p2", UUID: "c0ffee00-1234-4abc-9def-0123456789ab", Label: "desk-root", Type: "ext4", MountPoint: "/"},
			{Device: "/dev/sdd1", UUID: "77e1b0c4-9a8b-4c7d-a6e5-f40312a1b2c3", Label: "backup old", Type: "btrfs"}},
		{{Device: "/dev/sde1", UUID: "b16b00b5-4e2f-4a1d-9c3b-8d7e6f5a4b3c", Label: "travel", Type: "exfat", MountPoint: "/media/travel"}},
	}
	b, base := webBed(t, bed.Options{Hosts: 3, Names: func(i int) string { return names[i] },
		Disks: func(i int) []bed.Disk { return disks[i] }})
	if err := b.Hosts[2].Stop(); err != nil {
		t.Fatal(err)
	}
	bed.WaitFor(t, 30*time.Second, "laptop down", func() (bool, error) {
		st, err := b.Hosts[0].PeerState("laptop")
		return st == "down", err
	})
	br, err := webdriver.Start(t.TempDir(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	if err := br.Go(base + "/?q=backup"); err != nil {
		t.Fatal(err)
	}
	waitText(t, br, `#results tr.result[data-node="desk"]`, "search results", func(string) bool { return true })
	waitText(t, br, "#live", "live", func(s string) bool { return s == "live" })
	png, err := br.Screenshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", out, len(png))
}
