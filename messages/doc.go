// Package messages declares what the actors of diskd-actors say to each
// other, and the wire codec that carries announcements between daemons.
//
// Every message is sent and matched as a pointer and is immutable once sent:
// slices inside a message are never modified after the send. A request GetX
// is answered by X; commands are imperative (Rescan), notifications are past
// tense (LocalDisksChanged).
package messages
