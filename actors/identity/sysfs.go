package identity

import (
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// maxBlocks bounds the block devices read in one scan; maxAttr bounds one
// sysfs attribute (a page, as the kernel writes them).
const (
	maxBlocks = 4096
	maxAttr   = 4096
)

// Table is the identity of every block device of a host, by device path
// (/dev/sda1; device-mapper devices also as /dev/mapper/NAME).
type Table map[string]messages.Identity

// Read reads the identity of every block device under sys/class/block,
// adding what the udev database says when udev is not nil. sys is the
// sysfs root (/sys). A device that cannot be read is left out and named in
// problems; only an unreadable class/block is an error.
func Read(sys, udev fs.FS) (Table, []error, error) {
	ents, err := fs.ReadDir(sys, "class/block")
	if err != nil {
		return nil, nil, fmt.Errorf("identity: %w", err)
	}
	t, blocks := Table{}, map[string]block{}
	var problems []error
	if len(ents) > maxBlocks {
		problems = append(problems, fmt.Errorf("identity: %d block devices, the first %d read", len(ents), maxBlocks))
		ents = ents[:maxBlocks]
	}
	for _, e := range ents {
		name := e.Name()
		b, err := readBlock(sys, udev, name)
		if err != nil {
			problems = append(problems, fmt.Errorf("identity of %s: %w", name, err))
			continue
		}
		if b.udevErr != nil {
			problems = append(problems, fmt.Errorf("identity of %s: %w", name, b.udevErr))
		}
		blocks[name] = b
	}
	for name, b := range blocks {
		id := onDisk(blocks, b, 0)
		t["/dev/"+name] = id
		if b.dmName != "" {
			t["/dev/mapper/"+b.dmName] = id
		}
	}
	return t, problems, nil
}

// maxStack bounds how many device-mapper layers onDisk follows (LUKS on
// LVM on a partition is two).
const maxStack = 4

// onDisk is b's identity, with a device-mapper device on exactly one
// device (LVM on one physical volume, LUKS) described by the disk under
// it: that is the physical disk it is on. Over several devices (a striped
// volume, a mirror) it stays a dm device of its own. Size and PARTUUID
// stay b's.
func onDisk(blocks map[string]block, b block, depth int) messages.Identity {
	if len(b.slaves) != 1 || depth >= maxStack {
		return b.id
	}
	under, ok := blocks[b.slaves[0]]
	if !ok {
		return b.id
	}
	id := onDisk(blocks, under, depth+1)
	id.Size, id.PartUUID = b.id.Size, b.id.PartUUID
	return id
}

// Apply gives each disk the identity of its device, where the table knows
// it, keeping what the disk already carries (a PARTUUID from blkid).
func (t Table) Apply(disks []messages.Disk) []messages.Disk {
	for i := range disks {
		d := &disks[i]
		id, ok := t[d.Device]
		if !ok {
			continue
		}
		if d.PartUUID != "" {
			id.PartUUID = d.PartUUID
		}
		if wire.ValidIdentity(&id) != nil {
			id = messages.Identity{PartUUID: d.PartUUID}
		}
		d.Identity = id
	}
	return disks
}

// block is one device as read.
type block struct {
	id      messages.Identity
	dmName  string
	slaves  []string // a device-mapper device's underlying devices
	udevErr error    // a udev record that did not parse (sysfs's identity stands)
}

// readBlock reads class/block/NAME: a link into the device tree, where a
// partition is a directory inside its disk's.
func readBlock(sys, udev fs.FS, name string) (block, error) {
	node, err := link(sys, "class/block/"+name)
	if err != nil {
		return block{}, err
	}
	var b block
	sectors, err := attr(sys, node+"/size")
	if err != nil {
		return block{}, err
	}
	n, err := strconv.ParseInt(sectors, 10, 64)
	if err != nil || n < 0 || n > 1<<53 {
		return block{}, fmt.Errorf("size %.32q: want a count of 512-byte sectors", sectors)
	}
	b.id.Size = n * 512 // sysfs counts 512-byte sectors whatever the block size
	disk := node
	if exists(sys, node+"/partition") {
		disk = path.Dir(node)
	}
	diskName := path.Base(disk)
	b.id.WholeDisk = "/dev/" + diskName
	b.id.Removable = flagAttr(sys, disk+"/removable")
	b.id.Rotational = flagAttr(sys, disk+"/queue/rotational")
	dev, _ := link(sys, disk+"/device") // virtual devices have none
	if dev != "" {
		b.id.Model = clean(attrOr(sys, dev+"/model"))
		b.id.Serial = clean(attrOr(sys, dev+"/serial"))
		b.id.WWN = clean(attrOr(sys, dev+"/wwid"))
	}
	if b.id.Serial == "" {
		b.id.Serial = clean(attrOr(sys, disk+"/serial")) // virtio-blk
	}
	if w := clean(attrOr(sys, disk+"/wwid")); w != "" {
		b.id.WWN = w // NVMe namespaces
	}
	if dm := clean(attrOr(sys, disk+"/dm/name")); dm != "" {
		b.dmName = dm
		b.id.WholeDisk = "/dev/mapper/" + dm
		slaves, _ := fs.ReadDir(sys, disk+"/slaves")
		for _, e := range slaves {
			b.slaves = append(b.slaves, e.Name())
		}
	}
	props, err := udevProps(sys, udev, node)
	b.udevErr = err
	if disk != node {
		// A partition's udev record repeats its disk's ID_ properties; a
		// disk's own record fills in what it lacks.
		diskProps, err := udevProps(sys, udev, disk)
		if b.udevErr == nil {
			b.udevErr = err
		}
		for k, v := range diskProps {
			if _, ok := props[k]; !ok {
				props[k] = v
			}
		}
	}
	b.id.Transport = transport(sys, disk, diskName, props)
	fromUdev(&b.id, props)
	return b, nil
}

// fromUdev fills what sysfs did not say from udev properties: udev reads
// serials and WWNs from the device's VPD pages, which sysfs does not
// decode for SATA and USB disks.
func fromUdev(id *messages.Identity, p map[string]string) {
	if s := clean(p["ID_SERIAL_SHORT"]); s != "" {
		id.Serial = s
	}
	if w := clean(p["ID_WWN_WITH_EXTENSION"]); w != "" {
		id.WWN = w
	} else if w := clean(p["ID_WWN"]); w != "" {
		id.WWN = w
	}
	// sysfs cuts SCSI models at 16 bytes ("Samsung SSD 860 "); udev has
	// the whole ATA model.
	if m := clean(decodeEnc(p["ID_MODEL_ENC"])); m != "" {
		id.Model = m
	} else if id.Model == "" {
		id.Model = clean(strings.ReplaceAll(p["ID_MODEL"], "_", " "))
	}
	if u := clean(p["ID_PART_ENTRY_UUID"]); u != "" {
		id.PartUUID = u
	}
}

// udevProps reads the udev record of the device at node (sysfs "dev"
// names its MAJ:MIN): empty without udev or a record (udevd has not seen
// the device yet), an error for a record that does not parse.
func udevProps(sys, udev fs.FS, node string) (map[string]string, error) {
	empty := map[string]string{}
	if udev == nil {
		return empty, nil
	}
	mm, err := attr(sys, node+"/dev")
	if err != nil || !fs.ValidPath("b"+mm) || strings.Contains(mm, "/") {
		return empty, nil
	}
	b, err := fs.ReadFile(udev, "b"+mm)
	if err != nil {
		return empty, nil
	}
	p, err := ParseUdevData(b)
	if err != nil {
		return empty, fmt.Errorf("udev record b%s: %w", mm, err)
	}
	return p, nil
}

// link resolves the symbolic link at name to a clean path inside sys.
func link(sys fs.FS, name string) (string, error) {
	target, err := fs.ReadLink(sys, name)
	if err != nil {
		return "", err
	}
	p := path.Clean(path.Join(path.Dir(name), target))
	if !fs.ValidPath(p) || strings.HasPrefix(p, "..") {
		return "", fmt.Errorf("%s links outside sysfs", name)
	}
	return p, nil
}

// attr reads one sysfs attribute, without its trailing newline.
func attr(sys fs.FS, name string) (string, error) {
	f, err := sys.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxAttr+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxAttr {
		return "", fmt.Errorf("%s: longer than %d bytes", name, maxAttr)
	}
	return strings.TrimRight(string(b), "\n"), nil
}

// attrOr reads an optional attribute: "" when absent or unreadable.
func attrOr(sys fs.FS, name string) string {
	s, _ := attr(sys, name)
	return s
}

func exists(sys fs.FS, name string) bool {
	_, err := fs.Stat(sys, name)
	return err == nil
}

// flagAttr reads a 0/1 attribute; nil when absent or anything else.
func flagAttr(sys fs.FS, name string) *bool {
	switch attrOr(sys, name) {
	case "0":
		return messages.Flag(false)
	case "1":
		return messages.Flag(true)
	}
	return nil
}

// clean trims the padding that SCSI and ATA fields carry and refuses what
// the wire would not carry: invalid UTF-8, control characters, over-long
// values.
func clean(s string) string {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || len(s) > wire.MaxIdentityField {
		return ""
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return ""
		}
	}
	return s
}

// Names lists the table's devices, sorted, for golden files and logs.
func (t Table) Names() []string {
	names := make([]string, 0, len(t))
	for n := range t {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
