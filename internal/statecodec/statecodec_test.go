package statecodec

import (
	"bytes"
	"math"
	"testing"

	"github.com/ugorji/go/codec"
)

// roundTrip sends v through the same msgpack handle that packer-plugin-sdk's RPC uses, so the tests see
// the shapes a post-processor really receives.
func roundTrip(t *testing.T, v interface{}) interface{} {
	t.Helper()
	h := &codec.MsgpackHandle{WriteExt: true}
	var buf bytes.Buffer
	if err := codec.NewEncoder(&buf, h).Encode(v); err != nil {
		t.Fatalf("encode: %v", err)
	}
	var out interface{}
	if err := codec.NewDecoder(&buf, h).Decode(&out); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return out
}

func TestFieldsAfterMsgpack(t *testing.T) {
	state := map[string]interface{}{
		"location":           "westeurope",
		"os_type":            "Linux",
		"hyper_v_generation": "V2",
		"size_bytes":         int64(32 << 30),
		"small":              int32(7),
		"unsigned":           uint64(42),
	}
	decoded := roundTrip(t, state)
	if _, isPlain := decoded.(map[string]interface{}); isPlain {
		t.Log("note: msgpack returned map[string]interface{}; the generic path is still exercised below")
	}
	f, err := NewFields(decoded)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.String("location"); got != "westeurope" {
		t.Errorf("location = %q", got)
	}
	if got := f.String("hyper_v_generation"); got != "V2" {
		t.Errorf("hyper_v_generation = %q", got)
	}
	if got := f.Int64("size_bytes"); got != 32<<30 {
		t.Errorf("size_bytes = %d", got)
	}
	if got := f.Int64("small"); got != 7 {
		t.Errorf("small = %d", got)
	}
	if got := f.Int64("unsigned"); got != 42 {
		t.Errorf("unsigned = %d", got)
	}
	if got := f.String("absent"); got != "" {
		t.Errorf("absent = %q", got)
	}
	if err := f.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestMapShapes(t *testing.T) {
	cases := []struct {
		name    string
		in      interface{}
		want    map[string]interface{}
		wantErr bool
	}{
		{"nil", nil, nil, false},
		{"string keys", map[string]interface{}{"a": 1}, map[string]interface{}{"a": 1}, false},
		{"typed values", map[string]string{"a": "b"}, map[string]interface{}{"a": "b"}, false},
		{"interface keys", map[interface{}]interface{}{"a": "b"}, map[string]interface{}{"a": "b"}, false},
		{"int key", map[interface{}]interface{}{1.5: "b"}, nil, true},
		{"not a map", "x", nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Map(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
		})
	}
}

func TestInt64(t *testing.T) {
	cases := []struct {
		in   interface{}
		want int64
		ok   bool
	}{
		{int(5), 5, true},
		{int8(-5), -5, true},
		{uint16(9), 9, true},
		{uint64(math.MaxUint64), 0, false},
		{float64(3), 3, true},
		{float64(3.5), 0, false},
		{"17", 17, true},
		{[]byte("18"), 18, true},
		{"x", 0, false},
		{nil, 0, false},
		{true, 0, false},
	}
	for _, tc := range cases {
		got, ok := Int64(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("Int64(%#v) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestStringsAfterMsgpack(t *testing.T) {
	decoded := roundTrip(t, []string{"eastus", "westus"})
	got, err := Strings(decoded)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "eastus" || got[1] != "westus" {
		t.Fatalf("got %v", got)
	}
	if _, err := Strings([]interface{}{"a", 3.5}); err == nil {
		t.Fatal("a float item must be refused")
	}
	if _, err := Slice([]byte("abc")); err == nil {
		t.Fatal("bytes are text, not a list")
	}
}

func TestFieldsWrongType(t *testing.T) {
	f, err := NewFields(map[interface{}]interface{}{"size_bytes": "lots", "os_type": []interface{}{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	_ = f.Int64("size_bytes")
	if f.Err() == nil {
		t.Fatal("a non-numeric size must be an error")
	}
	f2, _ := NewFields(map[string]interface{}{"os_type": []interface{}{"x"}})
	_ = f2.String("os_type")
	if f2.Err() == nil {
		t.Fatal("a list where text is expected must be an error")
	}
}
