//go:build diskd_testhooks

package actors

import (
	"testing"

	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// A datagram that makes the decoder panic is dropped and counted; the
// reader goes on with the next one.
func TestReader_DecoderPanicIsADrop(t *testing.T) {
	d, h, queued, stop := testReader(t)
	defer stop()
	h.Inject([]byte(decoderPanicMagic))
	h.Inject(encodeForTest("b", "00000000000000bb", 1))
	waitFor(t, "the next datagram handed on", func() bool { return queued.Load() == 1 })
	if n := d.stats.dropsSnapshot()[wire.DropDecoderPanic]; n != 1 {
		t.Errorf("%d decoder_panic drops, want 1", n)
	}
}
