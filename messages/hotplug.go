package messages

// HotplugRescan asks DiskWatcher for a scan because the kernel reported
// block devices added, removed or changed (sent by Hotplug, debounced). A
// run in flight may predate the change, so one more run follows it.
type HotplugRescan struct{}

// Hotplug states, as status shows them.
const (
	HotplugListening   = "listening"   // the uevent socket is open
	HotplugUnavailable = "unavailable" // it could not be opened: periodic scans only
	HotplugDisabled    = "disabled"    // hotplug.enabled is false
)

// HotplugStatus is the device event listener's state and counters.
type HotplugStatus struct {
	State string `json:"state"`
	Error string `json:"error,omitempty"` // why it is unavailable, or the last read error
	// Events counts the kernel's block device events that asked for a
	// rescan; Ignored the other events read (other subsystems, actions).
	Events  uint64 `json:"block_events"`
	Ignored uint64 `json:"ignored_events"`
	// Malformed counts datagrams Parse rejected or not sent by the kernel.
	Malformed uint64 `json:"malformed"`
	// Overflows counts receive buffer overflows (events lost: a rescan
	// follows each).
	Overflows uint64 `json:"overflows"`
	Rescans   uint64 `json:"rescans"` // debounced rescans asked for
}
