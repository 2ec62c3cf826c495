package actors

import (
	"github.com/diskd-actors/diskd-actors/actors/render"
	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// The renderers live in actors/render (pure, unit-tested); the answers they
// return are adapted here to the Session's answer type. The small helpers
// below are kept for session.go.

// fromRender adapts a rendered answer.
func fromRender(p *lineproto.Answer) *answer {
	a := &answer{lines: p.Lines, code: p.Code}
	if p.Code == "" {
		a.summary = p.Message
	} else {
		a.msg = p.Message
	}
	return a
}

// proto is the answer as the line protocol encodes it.
func (a *answer) proto() *lineproto.Answer {
	p := &lineproto.Answer{Lines: a.lines, Code: a.code, Message: a.summary}
	if a.code != "" {
		p.Message = a.msg
	}
	return p
}

func plural(n int, what string) string { return render.Plural(n, what) }

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
