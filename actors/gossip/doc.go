// Package gossip is the protocol engine between daemons: what to make of
// each decoded datagram and what to send in return. It holds the replay
// window of every sender instance, the per-source rate limits, which
// sources speak the modern protocol, the chunks of inventories being
// assembled, and the timing of requests and answers: SRM-style repair
// (repair.go), with random delays, suppression and bounded retries.
//
// It is deterministic: no sockets, no goroutines, no clock of its own. The
// caller (MulticastServer) passes the time in and performs the returned
// Actions: deliver to Info, send a datagram, count a drop. Every table is
// bounded, and what a full table refuses or evicts is counted (Stats).
package gossip
