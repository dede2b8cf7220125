package vhd

import (
	"bytes"
	"strings"
	"testing"
)

// A text file given as a disk is refused; binary sectors, even ones with no NUL byte, are not.
func TestDetectRefusesText(t *testing.T) {
	for _, tc := range []struct {
		name   string
		data   []byte
		refuse bool
	}{
		{"short note", []byte("hello, not a disk\n"), true},
		{"long script", []byte(strings.Repeat("#!/bin/sh\necho hi\n", 200)), true},
		{"zero sector", make([]byte, 4096), false},
		{"0xee fill (invalid UTF-8)", bytes.Repeat([]byte{0xee}, 4096), false},
		{"text then NUL in the first sector", append([]byte("GRUB"), make([]byte, 1020)...), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Detect(bytes.NewReader(tc.data), int64(len(tc.data)))
			if got := err != nil && strings.Contains(err.Error(), "not a disk image"); got != tc.refuse {
				t.Fatalf("refused=%v, want %v (err %v)", got, tc.refuse, err)
			}
		})
	}
}
