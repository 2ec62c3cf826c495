package actors

import (
	"fmt"
	"os"

	diskid "github.com/diskd-actors/diskd-actors/actors/identity"
	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
)

// withIdentity gives a scan's disks the identity of their devices, read
// from the configured sysfs and udev roots (in the scan's goroutine: it
// reads files). Without a readable sysfs the disks go out without
// identity and the error says why; a device sysfs or udev cannot describe
// is left without (some of) it, and the error names it too.
func withIdentity(roots config.Identity, disks []messages.Disk) ([]messages.Disk, error) {
	var udev = os.DirFS(roots.UdevData)
	if roots.UdevData == "" {
		udev = nil
	} else if _, err := os.Stat(roots.UdevData); err != nil {
		udev = nil // no udevd: sysfs alone
	}
	table, problems, err := diskid.Read(os.DirFS(roots.Sysfs), udev)
	if err != nil {
		return disks, err
	}
	disks = table.Apply(disks)
	switch len(problems) {
	case 0:
		return disks, nil
	case 1:
		return disks, problems[0]
	}
	return disks, fmt.Errorf("%w (and %d more devices)", problems[0], len(problems)-1)
}

// noteIdentity records a run's identity error in its report and logs when
// it changes.
func (a *DiskWatcher) noteIdentity(report *messages.ScanReport, err error) {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	report.IdentityError = msg
	switch {
	case msg == a.lastID:
	case msg != "":
		a.log.Warn("cannot read (all of) the disks' identity; announcing what is known", "sysfs", a.d.cfg.Identity.Sysfs, "error", err)
	default:
		a.log.Info("disks' identity readable again", "sysfs", a.d.cfg.Identity.Sysfs)
	}
	a.lastID = msg
}
