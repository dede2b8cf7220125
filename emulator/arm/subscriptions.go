package arm

import "net/http"

func (s *Service) subscription(id string) *Subscription {
	for i := range s.opts.Subscriptions {
		if eq(s.opts.Subscriptions[i].ID, id) {
			return &s.opts.Subscriptions[i]
		}
	}
	return nil
}

func renderSubscription(sub *Subscription) map[string]any {
	return map[string]any{
		"id": "/subscriptions/" + sub.ID, "subscriptionId": sub.ID, "tenantId": sub.TenantID,
		"displayName": sub.DisplayName, "state": "Enabled", "authorizationSource": "RoleBased",
		"managedByTenants":     []any{},
		"subscriptionPolicies": map[string]any{"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"},
	}
}

func (s *Service) getSubscription(rc *reqCtx) *apiError {
	if e := s.useAPIVersion(rc, familySubscription, "subscriptions", ""); e != nil {
		return e
	}
	if rc.r.Method != http.MethodGet {
		return methodNotAllowed(rc.r.Method)
	}
	writeJSON(rc.w, http.StatusOK, renderSubscription(s.subscription(rc.sub)))
	return nil
}

func (s *Service) listSubscriptions(rc *reqCtx) *apiError {
	if e := s.useAPIVersion(rc, familySubscription, "subscriptions", ""); e != nil {
		return e
	}
	var values []map[string]any
	for i := range s.opts.Subscriptions {
		values = append(values, renderSubscription(&s.opts.Subscriptions[i]))
	}
	writePage(rc, s.opts.PageSize, values)
	return nil
}

// listLocations serves GET /subscriptions/{s}/locations in armsubscriptions' shape.
func (s *Service) listLocations(rc *reqCtx) *apiError {
	if e := s.useAPIVersion(rc, familySubscription, "subscriptions/locations", ""); e != nil {
		return e
	}
	values := []any{}
	for _, name := range s.opts.Regions {
		ri := regionInfoFor(name)
		paired := []any{}
		if ri.PairedRegion != "" {
			paired = append(paired, map[string]any{"name": ri.PairedRegion, "id": "/subscriptions/" + rc.sub + "/locations/" + ri.PairedRegion, "subscriptionId": rc.sub})
		}
		values = append(values, map[string]any{
			"id": "/subscriptions/" + rc.sub + "/locations/" + name, "name": name, "type": "Region",
			"displayName": ri.DisplayName, "regionalDisplayName": "(" + ri.GeographyGroup + ") " + ri.DisplayName,
			"subscriptionId": rc.sub,
			"metadata": map[string]any{"regionType": "Physical", "regionCategory": "Recommended", "geography": ri.Geography,
				"geographyGroup": ri.GeographyGroup, "longitude": ri.Longitude, "latitude": ri.Latitude,
				"physicalLocation": ri.PhysicalLocation, "pairedRegion": paired},
		})
	}
	writeJSON(rc.w, http.StatusOK, map[string]any{"value": values})
	return nil
}
