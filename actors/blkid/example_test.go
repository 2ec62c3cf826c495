package blkid_test

import (
	"fmt"

	"github.com/diskd-actors/diskd-actors/actors/blkid"
	"github.com/diskd-actors/diskd-actors/messages"
)

func ExampleEncode() {
	disks := []messages.Disk{{Device: "/dev/sda1", UUID: "0b3c-1d2e", Label: "backup 3", Type: "ext4"}}
	fmt.Print(string(blkid.Encode(disks, blkid.Export)))
	fmt.Print(string(blkid.Encode(disks, blkid.Full)))
	// Output:
	// DEVNAME=/dev/sda1
	// LABEL=backup\ 3
	// UUID=0b3c-1d2e
	// TYPE=ext4
	//
	// /dev/sda1: LABEL="backup 3" UUID="0b3c-1d2e" TYPE="ext4"
}

func ExampleParse() {
	out := []byte("/dev/sdb1: LABEL=\"cafM-CM-)\" UUID=\"1234-ABCD\" TYPE=\"vfat\"\n/dev/sda1: TYPE=\"swap\"\n")
	disks, err := blkid.Parse(out, false)
	for _, d := range disks {
		fmt.Printf("%s %q %s %s\n", d.Device, d.Label, d.UUID, d.Type)
	}
	fmt.Println(err)
	_, err = blkid.Parse([]byte("/dev/sda1 UUID=\"x\"\n"), false)
	fmt.Println(err)
	// Output:
	// /dev/sdb1 "café" 1234-ABCD vfat
	// <nil>
	// line 1: no ": " after a device name in "/dev/sda1 UUID=\"x\""
}
