package actors

import (
	"maps"
	"sync"

	"github.com/diskd-actors/diskd-actors/actors/mountpolicy"
	"github.com/diskd-actors/diskd-actors/messages"
)

// mountStats are the remote mount counters of status, shared by
// MountServer and MountRequester (they outlive restarts, in deps).
type mountStats struct {
	mu  sync.Mutex
	s   messages.MountStatus
	ids *mountpolicy.ReplayCache // MountServer's, kept across its restarts
}

// replayCache is MountServer's replay cache, made on first use; only
// MountServer touches it, one instance at a time.
func (m *mountStats) replayCache() *mountpolicy.ReplayCache {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ids == nil {
		m.ids = mountpolicy.NewReplayCache(maxReplayIDs, 2*mountClockSkew)
	}
	return m.ids
}

func (m *mountStats) update(f func(s *messages.MountStatus)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.s.Refused == nil {
		m.s.Refused, m.s.Answers = map[string]uint64{}, map[string]uint64{}
	}
	f(&m.s)
}

func (m *mountStats) snapshot(policy bool) *messages.MountStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.s
	s.Policy = policy
	s.Refused, s.Answers = maps.Clone(m.s.Refused), maps.Clone(m.s.Answers)
	if s.Refused == nil {
		s.Refused, s.Answers = map[string]uint64{}, map[string]uint64{}
	}
	return &s
}
