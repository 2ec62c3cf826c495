// Package webdriver drives Debian's headless Chromium through chromedriver's
// W3C WebDriver HTTP API (plain JSON over HTTP on 127.0.0.1), enough for
// the web page's browser test: open a page, find elements by CSS, type,
// read text, run a script, take a screenshot. No dependency beyond the
// standard library.
package webdriver

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// Paths of Debian's packages chromium and chromium-driver.
const (
	Chromium     = "/usr/bin/chromium"
	Chromedriver = "/usr/bin/chromedriver"
)

// Missing says why a browser test cannot run here, or "" when it can.
func Missing() string {
	for _, p := range []string{Chromium, Chromedriver} {
		if _, err := os.Stat(p); err != nil {
			return p + " is missing (Debian: apt-get install chromium chromium-driver; .ci/run installs them)"
		}
	}
	return ""
}

// Flags that let Chromium run headless as root on a closed network, with
// no background connections.
var chromiumArgs = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--disable-dev-shm-usage", "--window-size=1000,1000", "--hide-scrollbars"}

// Browser is one chromedriver process with one session.
type Browser struct {
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:PORT/session/ID
	http    *http.Client
	profile string
}

// Start runs chromedriver on a free loopback port and opens a session with
// a fresh profile in dir.
func Start(dir string, log io.Writer) (*Browser, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(Chromedriver, "--port="+strconv.Itoa(port), "--allowed-ips=127.0.0.1")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	b := &Browser{cmd: cmd, http: &http.Client{Timeout: 60 * time.Second}, profile: dir}
	root := "http://127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		var st struct {
			Ready bool `json:"ready"`
		}
		if err := b.call("GET", root+"/status", nil, &st); err == nil && st.Ready {
			break
		}
		if time.Now().After(deadline) {
			b.kill()
			return nil, errors.New("webdriver: chromedriver not ready within 20s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{"binary": Chromium,
			"args": append(append([]string{}, chromiumArgs...), "--user-data-dir="+dir)},
	}}}
	var s struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call("POST", root+"/session", caps, &s); err != nil {
		b.kill()
		return nil, fmt.Errorf("webdriver: new session: %w", err)
	}
	b.base = root + "/session/" + s.SessionID
	return b, nil
}

// Close ends the session and chromedriver.
func (b *Browser) Close() error {
	err := b.call("DELETE", b.base, nil, nil)
	b.kill()
	return err
}

func (b *Browser) kill() {
	_ = b.cmd.Process.Kill()
	_ = b.cmd.Wait()
}

// Go opens url.
func (b *Browser) Go(url string) error {
	return b.call("POST", b.base+"/url", map[string]string{"url": url}, nil)
}

// Find returns the id of the first element matching css, or ErrNoElement.
func (b *Browser) Find(css string) (string, error) {
	var el map[string]string
	err := b.call("POST", b.base+"/element", map[string]string{"using": "css selector", "value": css}, &el)
	if err != nil {
		return "", err
	}
	for _, id := range el { // the key is the W3C element identifier
		return id, nil
	}
	return "", ErrNoElement
}

// Type sends keys to an element, as a user types them.
func (b *Browser) Type(el, text string) error {
	return b.call("POST", b.base+"/element/"+el+"/value", map[string]string{"text": text}, nil)
}

// Text returns an element's rendered text.
func (b *Browser) Text(el string) (string, error) {
	var s string
	err := b.call("GET", b.base+"/element/"+el+"/text", nil, &s)
	return s, err
}

// Script runs JavaScript in the page and decodes what it returns into out.
func (b *Browser) Script(js string, out any, args ...any) error {
	if args == nil {
		args = []any{}
	}
	return b.call("POST", b.base+"/execute/sync", map[string]any{"script": js, "args": args}, out)
}

// Screenshot returns the viewport as PNG.
func (b *Browser) Screenshot() ([]byte, error) {
	var s string
	if err := b.call("GET", b.base+"/screenshot", nil, &s); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(s)
}

// ErrNoElement: no element matches.
var ErrNoElement = errors.New("webdriver: no such element")

// call sends one command and decodes its "value".
func (b *Browser) call(method, url string, body, out any) error {
	var r io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("webdriver: %s %s: HTTP %d, %.200q", method, url, resp.StatusCode, raw)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(env.Value, &e)
		if e.Error == "no such element" {
			return ErrNoElement
		}
		return fmt.Errorf("webdriver: %s: %s: %.300s", e.Error, method, e.Message)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(env.Value, out)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
