package arm

import "time"

// render is the ARM representation of a resource at time now. expand adds what $expand asks for
// (the replication status of a version).
func (s *Service) render(res *resource, apiVersion string, now time.Time, expand bool) map[string]any {
	body := map[string]any{}
	for k, v := range res.Extra {
		body[k] = clone(v)
	}
	body["id"] = res.ID
	body["name"] = res.Name
	body["type"] = res.Type
	if res.Location != "" {
		body["location"] = res.Location
	}
	if res.Tags != nil {
		body["tags"] = res.Tags
	}
	props := clone(res.Properties)
	if props == nil {
		props = map[string]any{}
	}
	body["properties"] = props
	kd := s.kindByType(res.Type)
	if kd == nil {
		props["provisioningState"] = "Succeeded"
		return body
	}
	props["provisioningState"] = s.simpleState(res, now)
	if kd.Render != nil {
		kd.Render(s, res, &renderCtx{now: now, expand: expand, apiVersion: apiVersion}, body)
	}
	shapeResponse(apiFamilies[kd.Family].Shapes, kd.Type, apiVersion, body)
	return body
}

// renderCtx is what a kind's Render hook may use.
type renderCtx struct {
	now        time.Time
	expand     bool
	apiVersion string
}

// simpleState is the provisioningState of a resource whose write takes OperationDelay.
func (s *Service) simpleState(res *resource, now time.Time) string {
	if now.Before(res.Meta.ReadyAt) && res.Meta.WriteState != "" {
		return res.Meta.WriteState
	}
	if res.Meta.Failure != nil {
		return "Failed"
	}
	return "Succeeded"
}
