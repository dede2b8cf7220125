package arm

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// reqCtx is what every handler needs to know about the request being served.
type reqCtx struct {
	r          *http.Request
	w          http.ResponseWriter
	base       string // scheme://host, for links (ids never carry it)
	apiVersion string
	sub        string
	rg         string // "" at subscription scope
	now        time.Time
}

func newReqCtx(s *Service, w http.ResponseWriter, r *http.Request) *reqCtx {
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	if fp := r.Header.Get("X-Forwarded-Proto"); fp != "" {
		scheme = fp
	}
	return &reqCtx{r: r, w: w, base: scheme + "://" + r.Host, now: s.now()}
}

// readBody decodes a JSON object body, with ARM's errors for a wrong media type or bad JSON.
func readBody(r *http.Request) (map[string]any, *apiError) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return nil, badRequest("InvalidRequestContent", "", "The request content could not be read: %v", err)
	}
	if len(strings.TrimSpace(string(raw))) == 0 {
		return nil, badRequest("InvalidRequestContent", "", "The request content was invalid and could not be deserialized: 'The request body is empty.'")
	}
	ct := r.Header.Get("Content-Type")
	mt, _, perr := mime.ParseMediaType(ct)
	if ct == "" || perr != nil || (mt != "application/json" && mt != "text/json" && !strings.HasSuffix(mt, "+json")) {
		if ct == "" {
			ct = "(none)"
		}
		return nil, newError(http.StatusUnsupportedMediaType, "UnsupportedMediaType", "",
			"The content media type '%s' is not supported. Only 'application/json' is supported.", ct)
	}
	var body map[string]any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		return nil, badRequest("InvalidRequestContent", "", "The request content was invalid and could not be deserialized: '%v'.", err)
	}
	if body == nil {
		return nil, badRequest("InvalidRequestContent", "", "The request content was invalid and could not be deserialized: 'expected a JSON object'.")
	}
	obj, ok := normalizeNumbers(body).(map[string]any)
	if !ok {
		return nil, badRequest("InvalidRequestContent", "", "The request content was invalid and could not be deserialized: 'expected a JSON object'.")
	}
	return obj, nil
}

// normalizeNumbers turns json.Number into int64 or float64 so values round-trip with their type.
func normalizeNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = normalizeNumbers(x)
		}
		return t
	case []any:
		for i, x := range t {
			t[i] = normalizeNumbers(x)
		}
		return t
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	}
	return v
}

// clone deep-copies generic JSON.
func clone[T any](v T) T {
	// Numbers come back as float64, which num reads; sizes stay exact below 2^53.
	var out T
	b, err := json.Marshal(v)
	if err != nil {
		return out
	}
	_ = json.Unmarshal(b, &out)
	return out
}

// mergePatch applies an RFC 7386 merge patch, which is what ARM PATCH does.
func mergePatch(dst, patch map[string]any) map[string]any {
	if dst == nil {
		dst = map[string]any{}
	}
	for k, v := range patch {
		if v == nil {
			delete(dst, k)
			continue
		}
		if pm, ok := v.(map[string]any); ok {
			dm, _ := dst[k].(map[string]any)
			dst[k] = mergePatch(clone(dm), pm)
			continue
		}
		dst[k] = v
	}
	return dst
}

// Typed accessors for generic JSON; missing or mistyped values read as zero.

func obj(m map[string]any, path ...string) map[string]any {
	cur := m
	for _, p := range path {
		next, ok := cur[p].(map[string]any)
		if !ok {
			return nil
		}
		cur = next
	}
	return cur
}

func str(m map[string]any, k string) string {
	if m == nil {
		return ""
	}
	s, _ := m[k].(string)
	return s
}

func num(m map[string]any, k string) (int64, bool) {
	if m == nil {
		return 0, false
	}
	switch t := m[k].(type) {
	case int64:
		return t, true
	case float64:
		return int64(t), t == float64(int64(t))
	case int:
		return int64(t), true
	}
	return 0, false
}

func boolean(m map[string]any, k string) bool {
	if m == nil {
		return false
	}
	b, _ := m[k].(bool)
	return b
}

func list(m map[string]any, k string) []any {
	if m == nil {
		return nil
	}
	l, _ := m[k].([]any)
	return l
}

func ensureObj(m map[string]any, k string) map[string]any {
	if o, ok := m[k].(map[string]any); ok {
		return o
	}
	o := map[string]any{}
	m[k] = o
	return o
}

func timeString(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func itoa(i int) string { return strconv.Itoa(i) }

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
