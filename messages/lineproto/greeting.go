package lineproto

import (
	"fmt"
	"strconv"
	"strings"
)

// Greeting is the first line a daemon writes on a new connection.
func Greeting(version, node string) string {
	return fmt.Sprintf("diskd-actors %s on %s ready (line protocol %d); type \"help\"", version, node, Version)
}

// Refusal is the status line a daemon writes instead of the greeting when
// it turns a client away (code "busy", say), then closes.
func Refusal(code, msg string) string { return StatusLine(code, msg) }

// ParseGreeting reads a greeting line. A refusal comes back as an error
// holding the daemon's reason. version is the line protocol version the
// daemon announced, or 0 when the greeting does not say (an older or foreign
// daemon; the line is then still accepted).
func ParseGreeting(line string) (version int, err error) {
	if strings.HasPrefix(line, ".") {
		a, perr := ParseStatus(Answer{}, line)
		if perr != nil || a.OK() {
			return 0, fmt.Errorf("%w: a status line instead of the greeting: %q", ErrProtocol, line)
		}
		return 0, &RefusedError{Code: a.Code, Message: a.Message}
	}
	_, rest, ok := strings.Cut(line, "(line protocol ")
	if !ok {
		return 0, nil
	}
	num, _, _ := strings.Cut(rest, ")")
	v, convErr := strconv.Atoi(num)
	if convErr != nil {
		return 0, nil
	}
	return v, nil
}

// RefusedError is a daemon's refusal of a connection.
type RefusedError struct{ Code, Message string }

func (e *RefusedError) Error() string {
	if e.Message == "" {
		return "daemon refused the connection: " + e.Code
	}
	return "daemon refused the connection: " + e.Message
}
