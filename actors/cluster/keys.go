package cluster

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"

	"github.com/hashicorp/memberlist"
)

// keyContext separates the cluster's AES keys from every other use of a
// keyring key (the same keys sign multicast datagrams with HMAC-SHA256).
const keyContext = "diskd cluster v1"

// DeriveKey turns one keyring key into memberlist's AES-256 key:
// HMAC-SHA256(key, "diskd cluster v1"). The keyring key itself never goes
// to memberlist, so a flaw in one use does not hand over the other.
func DeriveKey(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(keyContext))
	return m.Sum(nil) // 32 bytes: AES-256
}

// DeriveKeys derives every key of the keyring, in order: the first
// encrypts, all decrypt, so that keys rotate one daemon at a time.
func DeriveKeys(keyring [][]byte) [][]byte {
	out := make([][]byte, 0, len(keyring))
	for _, k := range keyring {
		out = append(out, DeriveKey(k))
	}
	return out
}

// NewKeyring builds memberlist's keyring from ours; nil without keys
// (the cluster then runs unencrypted, as multicast runs unsigned).
func NewKeyring(keyring [][]byte) (*memberlist.Keyring, error) {
	if len(keyring) == 0 {
		return nil, nil
	}
	d := DeriveKeys(keyring)
	return memberlist.NewKeyring(d, d[0])
}

// Rekey installs keyring in kr without a moment with neither the old nor
// the new keys: add the new ones, make the first primary, then remove the
// keys no longer in the ring.
func Rekey(kr *memberlist.Keyring, keyring [][]byte) error {
	if kr == nil {
		if len(keyring) > 0 {
			return errors.New("keys configured on a cluster started without: restart the daemon to encrypt")
		}
		return nil
	}
	if len(keyring) == 0 {
		return errors.New("keys removed from an encrypted cluster: restart the daemon to turn encryption off")
	}
	d := DeriveKeys(keyring)
	for _, k := range d {
		if err := kr.AddKey(k); err != nil {
			return err
		}
	}
	if err := kr.UseKey(d[0]); err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, k := range d {
		keep[string(k)] = true
	}
	for _, k := range kr.GetKeys() {
		if !keep[string(k)] {
			if err := kr.RemoveKey(k); err != nil {
				return err
			}
		}
	}
	return nil
}
