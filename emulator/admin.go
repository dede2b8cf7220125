package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/arm"
)

// adminHandler serves /_emulator/*: fault rules, the request log, reset and inventory. These routes need
// no token; their own prefix keeps Azure clients from reaching them by mistake.
func (s *Server) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /_emulator/faults", s.postFaults)
	mux.HandleFunc("GET /_emulator/faults", func(w http.ResponseWriter, r *http.Request) {
		writeAdminJSON(w, http.StatusOK, map[string]any{"rules": s.faults.list()})
	})
	mux.HandleFunc("DELETE /_emulator/faults", func(w http.ResponseWriter, r *http.Request) {
		s.faults.clear()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /_emulator/faults/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !s.faults.remove(r.PathValue("id")) {
			writeAdminError(w, http.StatusNotFound, "FaultRuleNotFound", "no fault rule "+r.PathValue("id"))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_emulator/requests", func(w http.ResponseWriter, r *http.Request) {
		writeAdminJSON(w, http.StatusOK, map[string]any{"requests": s.reqLog.snapshot()})
	})
	mux.HandleFunc("DELETE /_emulator/requests", func(w http.ResponseWriter, r *http.Request) {
		s.reqLog.clear()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_emulator/reset", func(w http.ResponseWriter, r *http.Request) {
		if err := s.Reset(); err != nil {
			writeAdminError(w, http.StatusInternalServerError, "ResetFailed", err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_emulator/inventory", func(w http.ResponseWriter, r *http.Request) {
		inv, err := s.arm.Inventory()
		if err != nil {
			writeAdminError(w, http.StatusInternalServerError, "InventoryFailed", err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(inv)
	})
	mux.HandleFunc("/_emulator/", func(w http.ResponseWriter, r *http.Request) {
		writeAdminError(w, http.StatusNotFound, "NotFound", fmt.Sprintf("no emulator route %s %s", r.Method, r.URL.Path))
	})
	return mux
}

// Reset drops ARM state, fault rules and the request log, and restores the configured token lifetime.
func (s *Server) Reset() error {
	s.faults.clear()
	s.reqLog.clear()
	s.throttle.reset()
	s.id.SetTokenLifetime(0)
	return s.arm.Reset()
}

// AddFaults installs rules (validated first; none is installed if one is bad) and returns them with ids.
func (s *Server) AddFaults(rules ...FaultRule) ([]FaultRule, error) {
	prepared := make([]*FaultRule, 0, len(rules))
	for i := range rules {
		r := rules[i]
		r.Fired = 0
		if err := r.prepare(); err != nil {
			return nil, fmt.Errorf("rule %d: %w", i, err)
		}
		prepared = append(prepared, &r)
	}
	for _, r := range prepared {
		switch r.Action {
		case FaultReplicationFailure:
			s.arm.AddReplicationFailure(arm.ReplicationFailure{Region: r.Region, Details: r.Details, Count: r.Count, Probability: r.Probability})
			r.Fired = 1
		case FaultTokenLifetime:
			s.id.SetTokenLifetime(time.Duration(r.Seconds) * time.Second)
			r.Fired = 1
		case FaultReplicationProfile:
			if err := s.arm.AddReplicationProfile(arm.ReplicationProfileRule{Region: r.Region, Profile: r.Profile, Count: r.Count}); err != nil {
				return nil, err
			}
			r.Fired = 1
		}
	}
	s.faults.add(prepared)
	out := make([]FaultRule, len(prepared))
	for i, r := range prepared {
		out[i] = *r
	}
	return out, nil
}

// Faults lists installed rules with their fire counts.
func (s *Server) Faults() []FaultRule { return s.faults.list() }

// Requests returns the request log, oldest first.
func (s *Server) Requests() []RequestLogEntry { return s.reqLog.snapshot() }

// postFaults accepts one rule object, an array of rules, or {"rules": [...]}.
func (s *Server) postFaults(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeAdminError(w, http.StatusBadRequest, "InvalidRequestContent", err.Error())
		return
	}
	rules, err := decodeFaultRules(body)
	if err != nil {
		writeAdminError(w, http.StatusBadRequest, "InvalidFaultRule", err.Error())
		return
	}
	added, err := s.AddFaults(rules...)
	if err != nil {
		writeAdminError(w, http.StatusBadRequest, "InvalidFaultRule", err.Error())
		return
	}
	writeAdminJSON(w, http.StatusCreated, map[string]any{"rules": added})
}

func decodeFaultRules(body []byte) ([]FaultRule, error) {
	body = bytes.TrimSpace(body)
	strict := func(b []byte, v any) error {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		return dec.Decode(v)
	}
	switch {
	case len(body) == 0:
		return nil, fmt.Errorf("empty body: post a rule object, an array of rules or {\"rules\": [...]}")
	case body[0] == '[':
		var rules []FaultRule
		return rules, strict(body, &rules)
	}
	var wrapped struct {
		Rules []FaultRule `json:"rules"`
	}
	if err := strict(body, &wrapped); err == nil && wrapped.Rules != nil {
		return wrapped.Rules, nil
	}
	var one FaultRule
	if err := strict(body, &one); err != nil {
		return nil, err
	}
	return []FaultRule{one}, nil
}

func writeAdminJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeAdminError(w http.ResponseWriter, status int, code, msg string) {
	writeAdminJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
