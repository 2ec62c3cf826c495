package actors

import (
	"strings"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Names of a disk's physical identity for where: its serial exactly, its
// WWN and PARTUUID in any case, and a substring of its model in any case
// (from minModelQuery characters, so that "a" does not name every disk).

const minModelQuery = 3

// identityNames lists the identity names under which a disk is found:
// kinds 's' (serial), 'w' (lower-case WWN), 'p' (lower-case PARTUUID), 'm'
// (lower-case model).
func identityNames(id messages.Identity, f func(diskName)) {
	if id.Serial != "" {
		f(diskName{'s', id.Serial})
	}
	if id.WWN != "" {
		f(diskName{'w', strings.ToLower(id.WWN)})
	}
	if id.PartUUID != "" {
		f(diskName{'p', strings.ToLower(id.PartUUID)})
	}
	if id.Model != "" {
		f(diskName{'m', strings.ToLower(id.Model)})
	}
}

// matchesIdentity reports whether q names the disk by its identity.
func matchesIdentity(id messages.Identity, q string) bool {
	return q != "" && (id.Serial == q || strings.EqualFold(id.WWN, q) || strings.EqualFold(id.PartUUID, q) ||
		len(q) >= minModelQuery && strings.Contains(strings.ToLower(id.Model), strings.ToLower(q)))
}

// identitySets adds to sets the records q may name by identity.
func (ix *nameIndex[R]) identitySets(q string, sets []map[R]struct{}) []map[R]struct{} {
	lq := strings.ToLower(q)
	for _, name := range [...]diskName{{'s', q}, {'w', lq}, {'p', lq}} {
		if set := ix.sets[name]; len(set) > 0 {
			sets = append(sets, set)
		}
	}
	if len(q) < minModelQuery {
		return sets
	}
	for model := range ix.models {
		if strings.Contains(model, lq) {
			if set := ix.sets[diskName{'m', model}]; len(set) > 0 {
				sets = append(sets, set)
			}
		}
	}
	return sets
}

// bytesPerIdentity is what a disk's identity costs Info beyond its strings:
// the two flags and up to four more name-index entries.
const bytesPerIdentity = 200

// identityBytes is identity's share of estimateBytes; nothing for a disk
// without identity, so that budgets measured before identity still hold.
func identityBytes(id messages.Identity) int64 {
	if !id.Known() {
		return 0
	}
	return bytesPerIdentity + int64(len(id.WholeDisk)+len(id.Model)+len(id.Serial)+len(id.WWN)+len(id.Transport)+len(id.PartUUID))
}
