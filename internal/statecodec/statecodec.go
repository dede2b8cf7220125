// Package statecodec decodes artifact state that crossed Packer's plugin RPC.
//
// Packer carries Artifact.State values between processes as msgpack (gob on older cores). What arrives is
// rarely the type the producer stored: a map[string]interface{} comes back as map[interface{}]interface{},
// strings may arrive as []byte, every integer becomes int64 or uint64, and slices become []interface{}.
// These helpers accept every such shape deliberately, so callers never write unchecked type assertions.
package statecodec

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
)

// String returns v as a string. It accepts string, []byte, and the scalar types that have
// an obvious text form (integers, booleans). nil is reported as absent (ok=false).
func String(v interface{}) (string, bool) {
	switch t := v.(type) {
	case nil:
		return "", false
	case string:
		return t, true
	case []byte:
		return string(t), true
	case bool:
		return strconv.FormatBool(t), true
	}
	if n, ok := Int64(v); ok {
		return strconv.FormatInt(n, 10), true
	}
	return "", false
}

// Int64 returns v as an int64. It accepts every Go integer kind, floats with an integral value (JSON
// numbers), and decimal strings. Values that do not fit report ok=false.
func Int64(v interface{}) (int64, bool) {
	if v == nil {
		return 0, false
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > math.MaxInt64 {
			return 0, false
		}
		return int64(u), true
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if f != math.Trunc(f) || f > math.MaxInt64 || f < math.MinInt64 {
			return 0, false
		}
		return int64(f), true
	case reflect.String:
		n, err := strconv.ParseInt(rv.String(), 10, 64)
		return n, err == nil
	case reflect.Slice:
		if b, ok := v.([]byte); ok {
			n, err := strconv.ParseInt(string(b), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// Map returns v as a map with string keys. It accepts map[string]T and map[interface{}]interface{} (with
// string or []byte keys) for any T; other key types make it fail rather than be silently dropped.
func Map(v interface{}) (map[string]interface{}, error) {
	if v == nil {
		return nil, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Map {
		return nil, fmt.Errorf("expected a map, got %T", v)
	}
	out := make(map[string]interface{}, rv.Len())
	iter := rv.MapRange()
	for iter.Next() {
		key, ok := String(iter.Key().Interface())
		if !ok {
			return nil, fmt.Errorf("map key %v (%T) is not a string", iter.Key().Interface(), iter.Key().Interface())
		}
		out[key] = iter.Value().Interface()
	}
	return out, nil
}

// Slice returns v as []interface{}. It accepts any slice or array except []byte, which is text.
func Slice(v interface{}) ([]interface{}, error) {
	if v == nil {
		return nil, nil
	}
	if _, isBytes := v.([]byte); isBytes {
		return nil, fmt.Errorf("expected a list, got bytes")
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, fmt.Errorf("expected a list, got %T", v)
	}
	out := make([]interface{}, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, nil
}

// Strings returns v as []string, accepting a []interface{} of strings or []byte.
func Strings(v interface{}) ([]string, error) {
	items, err := Slice(v)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for i, item := range items {
		s, ok := String(item)
		if !ok {
			return nil, fmt.Errorf("item %d (%T) is not a string", i, item)
		}
		out = append(out, s)
	}
	return out, nil
}

// Fields reads named values out of a decoded state map. It records the first problem, so a caller can
// read several fields and check Err once.
type Fields struct {
	m   map[string]interface{}
	err error
}

// NewFields wraps state (any map shape that Map accepts).
func NewFields(state interface{}) (*Fields, error) {
	m, err := Map(state)
	if err != nil {
		return nil, err
	}
	return &Fields{m: m}, nil
}

// String returns the named field as a string; "" when absent. A present value of the wrong type is an error.
func (f *Fields) String(name string) string {
	v, present := f.m[name]
	if !present || v == nil {
		return ""
	}
	s, ok := String(v)
	if !ok {
		f.fail(fmt.Errorf("state key %q: expected text, got %T", name, v))
	}
	return s
}

// Int64 returns the named field as an int64; 0 when absent. A present value of the wrong type is an error.
func (f *Fields) Int64(name string) int64 {
	v, present := f.m[name]
	if !present || v == nil {
		return 0
	}
	n, ok := Int64(v)
	if !ok {
		f.fail(fmt.Errorf("state key %q: expected an integer, got %T (%v)", name, v, v))
	}
	return n
}

// Err returns the first problem met while reading fields.
func (f *Fields) Err() error { return f.err }

func (f *Fields) fail(err error) {
	if f.err == nil {
		f.err = err
	}
}
