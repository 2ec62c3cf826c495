package config

import (
	"strings"
	"testing"
)

func TestValidate_HTTPListen(t *testing.T) {
	for _, tc := range []struct {
		listen, want string // want "" for valid
	}{
		{"", ""},
		{"127.0.0.1:9747", ""},
		{"127.0.0.1:0", ""},
		{"[::1]:9747", ""},
		{"localhost:9747", ""},
		{":9747", ""},
		{"9747", `http.listen "9747": must be host:port, e.g. 127.0.0.1:9747`},
		{"127.0.0.1", `http.listen "127.0.0.1": must be host:port`},
		{"127.0.0.1:http", "port must be a number between 0 and 65535"},
		{"127.0.0.1:65536", "port must be a number between 0 and 65535"},
		{"a b:80", "host must be an IP address or a host name"},
	} {
		c := Default()
		c.HTTP.Listen = tc.listen
		err := c.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("http.listen %q: %v, want valid", tc.listen, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("http.listen %q: %v, want %q", tc.listen, err, tc.want)
		}
	}
}

func TestParse_HTTPSection(t *testing.T) {
	c, err := Parse([]byte("http:\n  listen: 127.0.0.1:9747\n"))
	if err != nil || c.HTTP.Listen != "127.0.0.1:9747" {
		t.Fatalf("got %+v, %v", c.HTTP, err)
	}
	if _, err := Parse([]byte("http:\n  port: 9747\n")); err == nil || !strings.Contains(err.Error(), "http.port") {
		t.Errorf("an unknown key under http: %v, want it named", err)
	}
	if Default().HTTP.Listen != "" {
		t.Errorf("http.listen is on by default")
	}
}
