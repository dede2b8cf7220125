package azure

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// Error is an Azure error explained for a user: what the code means for them and how to fix it.
// It wraps the *azcore.ResponseError, so errors.As still reaches it.
type Error struct {
	// Code is ARM's error code, e.g. "AuthorizationFailed".
	Code string
	// StatusCode is the HTTP status.
	StatusCode int
	// Message is ARM's own message (from the response body), which often names the offending value.
	Message string
	// Target is ARM's error target, when it gives one.
	Target string
	// RequestID is x-ms-request-id, what Azure support asks for.
	RequestID string
	// Meaning and Fix come from the table of known codes; both are empty for an unknown code.
	Meaning, Fix string

	err error
}

// Error formats "meaning: fix (Azure: message; code, HTTP status, request ID)".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Meaning != "" {
		b.WriteString(e.Meaning)
		if e.Fix != "" {
			b.WriteString("; ")
			b.WriteString(e.Fix)
		}
		b.WriteString(" (Azure: ")
	} else {
		b.WriteString("Azure error: ")
	}
	if e.Message != "" {
		b.WriteString(e.Message)
		b.WriteString("; ")
	}
	fmt.Fprintf(&b, "code %s, HTTP %d", orUnknown(e.Code), e.StatusCode)
	if e.Target != "" {
		fmt.Fprintf(&b, ", target %s", e.Target)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, ", request ID %s", e.RequestID)
	}
	if e.Meaning != "" {
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the *azcore.ResponseError.
func (e *Error) Unwrap() error { return e.err }

func orUnknown(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// explanation is one row of the code table.
type explanation struct{ meaning, fix string }

// explanations maps the ARM error codes the plugin meets to what they mean for its user. Codes are
// matched case-insensitively, as ARM's casing varies between providers.
var explanations = map[string]explanation{
	"propertychangenotallowed": {"a property that cannot change after creation differs from the existing resource",
		"choose another version number (or image_version = \"auto\"), or delete the existing resource first"},
	"resourcegroupnotfound": {"the resource group does not exist",
		"create it first (az group create) or fix resource_group"},
	"parentresourcenotfound": {"the gallery or image definition this resource belongs to does not exist",
		"check gallery_name and image_name, or set create_gallery = true"},
	"notfound":         {"the resource does not exist", "check the resource ID, its subscription and its resource group"},
	"resourcenotfound": {"the resource does not exist", "check the resource ID, its subscription and its resource group"},
	"galleryimagenotfound": {"the image definition does not exist",
		"check image_name, or leave create_image = true so the plugin creates it"},
	"subscriptionnotfound": {"the subscription does not exist or the identity cannot see it",
		"check subscription_id, and that the identity has a role in that subscription"},
	"authorizationfailed": {"the identity lacks permission for this operation",
		"grant it a role with this action (e.g. Contributor, or Compute Gallery Artifacts Publisher on the gallery) at the resource group, and re-run"},
	"linkedauthorizationfailed": {"the identity lacks permission on a linked resource (the source image, or a disk encryption set)",
		"grant it Reader on the source image's resource group (and access to the disk encryption set)"},
	"invalidauthenticationtoken": {"Azure rejected the access token",
		"check that cloud_environment_name or metadata_host names the cloud that holds the subscription"},
	"invalidauthenticationtokenaudience": {"the access token is meant for another cloud",
		"check that cloud_environment_name or metadata_host names the cloud that holds the subscription"},
	"expiredauthenticationtoken": {"the access token expired",
		"check the machine's clock; with client_jwt, pass a fresher assertion or use oidc_request_url"},
	"invalidauthenticationtokentenant": {"the credential belongs to a different tenant than the subscription",
		"set tenant_id to the tenant (directory) of subscription_id, or, when the gallery is in another tenant than the credential, list that tenant in auxiliary_tenant_ids"},
	"quotaexceeded": {"a quota of the subscription or region is exhausted",
		"delete old versions (keep_versions), use fewer replicas or regions, or request a quota increase"},
	"operationnotallowed": {"Azure does not allow this operation now: a quota, throttling (429), or a definition with the same publisher/offer/sku already in the gallery",
		"read Azure's message below: wait and re-run when it throttles; delete old versions or request a quota increase if it names a limit; choose another publisher/offer/sku, or publish to the definition it names, for a duplicate identifier"},
	"toomanyrequests": {"Azure throttled the subscription's requests",
		"wait for the time Azure names (Retry-After), or re-run later; the plugin already waited as long as timeout allowed"},
	"resourcecollectionrequeststhrottled": {"Azure Resource Manager throttled requests to this resource collection",
		"wait for the time in Retry-After (ARM's cool-down is about 120 s) and re-run"},
	"cannotdeleteresource": {"Azure still holds resources nested in this one (for a while after they were deleted)",
		"wait a minute and delete it again; the plugin already retried for up to 2 minutes"},
	"crppirreplicationjobsnotcompleted": {"the replication to a region did not complete",
		"re-run the build to resume it, or remove the region named in Azure's message"},
	"deletegalleryimageversionblockedbeforeendoflife": {"the version blocks its deletion before its end-of-life date",
		"wait for its end of life, or clear safetyProfile.blockDeletionBeforeEndOfLife on the version first"},
	"invalidresourcelocation": {"a resource of that name already exists in another region",
		"use the existing resource's region, or another name"},
	"conflict": {"another operation on the resource is in progress or the resource is in a conflicting state",
		"wait for the other operation to finish and re-run the build"},
	"invalidparameter": {"Azure rejected a parameter",
		"fix the setting named by the target in Azure's message"},
	"badrequest": {"Azure rejected the request", "fix the setting named in Azure's message"},
	"noregisteredproviderfound": {"the region or API version is not supported for this resource type",
		"check the region names (e.g. eastus) and that the cloud offers Compute Galleries there"},
	"locationnotavailableforresourcetype": {"the resource type is not available in that region",
		"choose another region"},
	"missingsubscriptionregistration": {"the subscription is not registered for the Microsoft.Compute provider",
		"register it: az provider register --namespace Microsoft.Compute"},
	"resourcegroupbeingdeleted": {"the resource group is being deleted",
		"wait for the deletion to finish, then create the resource group again"},
	"galleryimageversionnotfound": {"the image version does not exist", "check the version number and image_name"},
}

// Classify explains an Azure error: it finds the *azcore.ResponseError in err's chain and looks its
// ErrorCode up in one table. An unknown code passes through with ARM's message and the request ID.
// It returns nil when err holds no Azure response error (a network or credential error, say).
func Classify(err error) *Error {
	var already *Error
	if errors.As(err, &already) {
		return already
	}
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return nil
	}
	e := &Error{Code: re.ErrorCode, StatusCode: re.StatusCode, err: err}
	if resp := re.RawResponse; resp != nil {
		e.RequestID = resp.Header.Get("x-ms-request-id")
		e.Message, e.Target, e.Code = bodyError(resp, e.Code)
	}
	if x, ok := explanations[strings.ToLower(e.Code)]; ok {
		e.Meaning, e.Fix = x.meaning, x.fix
	}
	return e
}

// Explain returns Classify(err) when err is an Azure error, and err unchanged otherwise.
func Explain(err error) error {
	if err == nil {
		return nil
	}
	if IsThrottled(err) {
		return err // its own message names the operation, the Retry-After and the timeout
	}
	if e := Classify(err); e != nil {
		return e
	}
	return err
}

// IsNotFound reports whether err is Azure saying the resource (or its parent) does not exist.
func IsNotFound(err error) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound
}

// HasCode reports whether err is an Azure error with the given code (case-insensitive).
func HasCode(err error, code string) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && strings.EqualFold(re.ErrorCode, code)
}

// bodyError reads ARM's error body ({"error": {"code", "message", "target"}}), which azcore keeps
// readable after building the ResponseError.
func bodyError(resp *http.Response, code string) (message, target, outCode string) {
	outCode = code
	body, err := runtime.Payload(resp)
	if err != nil || len(body) == 0 {
		return "", "", outCode
	}
	var doc struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Target  string `json:"target"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &doc) != nil || doc.Error == nil {
		return "", "", outCode
	}
	if outCode == "" {
		outCode = doc.Error.Code
	}
	return doc.Error.Message, doc.Error.Target, outCode
}
