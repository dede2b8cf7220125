package arm

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// Operation kinds: the path segment of each resource provider's operation endpoint.
const (
	opCaps  = "capsOperations"
	opDisk  = "DiskOperations"
	opImage = "operations"
)

func opFamily(kind string) string {
	switch {
	case eq(kind, opCaps):
		return familyGallery
	case eq(kind, opDisk):
		return familyDisk
	case eq(kind, opImage):
		return familyImage
	}
	return ""
}

func (s *Service) newOperation(rc *reqCtx, kind, loc, resKey, action string, readyAt time.Time) *operation {
	op := &operation{ID: uuid.NewString(), Kind: kind, Location: loc, Subscription: rc.sub, ResourceKey: resKey,
		Action: action, APIVersion: rc.apiVersion, Start: rc.now, ReadyAt: readyAt}
	s.pruneOperations(rc.now)
	s.setOp(op)
	return op
}

// operationRetention is how long a finished operation's status stays readable, so the state file does
// not grow without bound while late pollers (even across restarts) still find their operation.
const operationRetention = 24 * time.Hour

func (s *Service) pruneOperations(now time.Time) {
	for id, op := range s.st.Operations {
		if now.Sub(op.Start) < operationRetention {
			continue
		}
		if st := s.statusOf(op, now); st.Status != "InProgress" && now.Sub(st.End) >= operationRetention {
			s.delOp(id)
		}
	}
}

func (s *Service) opURL(rc *reqCtx, op *operation) string {
	return rc.base + "/subscriptions/" + op.Subscription + "/providers/Microsoft.Compute/locations/" + op.Location + "/" + op.Kind + "/" + op.ID
}

// setAsyncHeaders points the client at the operation: Azure-AsyncOperation for the status body,
// Location (monitor=true) for the final result.
func (s *Service) setAsyncHeaders(rc *reqCtx, op *operation) {
	u := s.opURL(rc, op)
	rc.w.Header().Set("Azure-AsyncOperation", u+"?api-version="+op.APIVersion)
	rc.w.Header().Set("Location", u+"?monitor=true&api-version="+op.APIVersion)
	rc.w.Header().Set("Retry-After", strconv.Itoa(s.retryAfter(op, rc.now)))
}

// opStatus is an operation's state at now: status, end time and error.
type opStatus struct {
	Status string
	End    time.Time
	Err    *apiError
	// Remaining estimates how long until the operation ends, for Retry-After.
	Remaining time.Duration
}

func (s *Service) statusOf(op *operation, now time.Time) opStatus {
	if op.Replication && op.Action == "write" {
		res := s.st.Resources[op.ResourceKey]
		if res == nil {
			return opStatus{Status: "Canceled", End: op.Start, Err: newError(http.StatusConflict, "OperationCanceled", "", "The operation was canceled because the gallery image version was deleted.")}
		}
		if res.Meta.Failure != nil {
			if now.Before(res.Meta.ReadyAt) {
				return opStatus{Status: "InProgress", Remaining: res.Meta.ReadyAt.Sub(now)}
			}
			return opStatus{Status: "Failed", End: res.Meta.ReadyAt, Err: res.Meta.Failure}
		}
		agg := s.replicationOf(res, now)
		switch agg.State {
		case "Completed":
			return opStatus{Status: "Succeeded", End: agg.End}
		case "Failed":
			return opStatus{Status: "Failed", End: agg.End, Err: agg.Err}
		}
		return opStatus{Status: "InProgress", Remaining: agg.Remaining}
	}
	if now.Before(op.ReadyAt) {
		return opStatus{Status: "InProgress", Remaining: op.ReadyAt.Sub(now)}
	}
	if op.Failure != nil {
		return opStatus{Status: "Failed", End: op.ReadyAt, Err: op.Failure}
	}
	return opStatus{Status: "Succeeded", End: op.ReadyAt}
}

// retryAfter suggests a poll interval: a tenth of the expected remaining time, 1 to 2 seconds, so
// short operations are polled briskly and long replications not hammered.
func (s *Service) retryAfter(op *operation, now time.Time) int {
	st := s.statusOf(op, now)
	secs := int(math.Ceil(st.Remaining.Seconds() / 10))
	return max(1, min(2, secs))
}

// operationStatus serves GET .../locations/{loc}/{kind}/{id}: the status body, or with monitor=true
// the Location-header semantics (202 while running, then the final result).
func (s *Service) operationStatus(rc *reqCtx, loc, kind, id string) *apiError {
	fam := opFamily(kind)
	if fam == "" {
		return unknownType("locations/" + kind)
	}
	if rc.r.Method != http.MethodGet {
		return methodNotAllowed(rc.r.Method)
	}
	if e := s.useAPIVersion(rc, fam, "locations/"+kind, loc); e != nil {
		return e
	}
	op := s.st.Operations[id]
	if op == nil || !eq(op.Kind, kind) || !eq(op.Subscription, rc.sub) {
		return newError(http.StatusNotFound, "NotFound", "", "The operation '%s' was not found.", id)
	}
	st := s.statusOf(op, rc.now)
	if st.Status == "InProgress" {
		rc.w.Header().Set("Retry-After", strconv.Itoa(s.retryAfter(op, rc.now)))
	}
	if rc.r.URL.Query().Get("monitor") == "true" {
		return s.monitorResult(rc, op, st)
	}
	body := map[string]any{"name": op.ID, "status": st.Status, "startTime": timeString(op.Start)}
	if st.Status != "InProgress" {
		body["endTime"] = timeString(st.End)
	}
	if st.Err != nil {
		body["error"] = map[string]any{"code": st.Err.Code, "message": st.Err.Message, "target": st.Err.Target}
	}
	if st.Status == "Succeeded" && op.Output != nil {
		body["properties"] = map[string]any{"output": op.Output}
	}
	writeJSON(rc.w, http.StatusOK, body)
	return nil
}

func (s *Service) monitorResult(rc *reqCtx, op *operation, st opStatus) *apiError {
	switch st.Status {
	case "InProgress":
		rc.w.Header().Set("Location", s.opURL(rc, op)+"?monitor=true&api-version="+op.APIVersion)
		rc.w.WriteHeader(http.StatusAccepted)
		return nil
	case "Failed", "Canceled":
		e := *st.Err
		if e.Status == 0 {
			e.Status = http.StatusConflict
		}
		return &e
	}
	if op.Output != nil {
		writeJSON(rc.w, http.StatusOK, op.Output)
		return nil
	}
	if res := s.st.Resources[op.ResourceKey]; res != nil && op.Action == "write" {
		writeJSON(rc.w, http.StatusOK, s.render(res, rc.apiVersion, rc.now, false))
		return nil
	}
	rc.w.WriteHeader(http.StatusNoContent)
	return nil
}

// checkQuota applies the per-subscription, per-region limit of a gallery resource type.
func (s *Service) checkQuota(rc *reqCtx, kd *kindDef, loc string) *apiError {
	limit := kd.Quota(s.opts.Quotas)
	if limit <= 0 {
		return nil
	}
	n := 0
	prefix := key("/subscriptions/" + rc.sub + "/")
	for k, r := range s.st.Resources {
		if eq(r.Type, kd.Type) && r.Location == loc && len(k) > len(prefix) && k[:len(prefix)] == prefix {
			n++
		}
	}
	if n < limit {
		return nil
	}
	return conflict("OperationNotAllowed", "",
		"Operation could not be completed as it results in exceeding approved %s quota. Location: '%s', Current Limit: %d, Current Usage: %d, Additional Required: 1. Delete unused resources or ask for a higher limit.",
		kd.shortType(), loc, limit, n)
}
