package gallery

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// VersionDecision is what the plan does with the version.
type VersionDecision string

// The version decisions.
const (
	// VersionCreate: the version does not exist; create it with one PUT.
	VersionCreate VersionDecision = "create"
	// VersionReuse: it exists from the same source and has succeeded.
	VersionReuse VersionDecision = "reuse"
	// VersionResume: it exists from the same source and is still replicating; wait for it.
	VersionResume VersionDecision = "resume"
)

// Actions is the plan of a publish: what to create, update, reuse or wait for. It is plain data,
// computed by Plan without I/O.
type Actions struct {
	// Location is the region of the gallery, the definition and the version, which is the source's.
	Location string
	// CreateGallery is set when the gallery is missing and create_gallery allows creating it.
	CreateGallery bool
	// CreateDefinition is set when the definition is missing; Definition is then its full spec.
	CreateDefinition bool
	// Definition is the requested definition with every OS field resolved from the source.
	Definition DefinitionSpec
	// DefinitionUpdates lists the updatable fields of an existing definition that differ.
	DefinitionUpdates []FieldChange
	Version           VersionDecision
	VersionName       string
	// VersionUpdates lists what a converging re-run changes on the existing version (VersionUpdate).
	VersionUpdates []FieldChange
	// Regions are the target regions, normalized, source region first.
	Regions []RegionPlan
	// FootprintGiB is the stored size: the source size times the replicas summed over regions, their
	// additional replica sets included.
	FootprintGiB int64
	// StorageAccountStrategy is the request's strategy, which stores the regions without their own type.
	StorageAccountStrategy string
	// ReplicaSets are the additional replica sets by region name (storage.go); RegionPlan stays comparable.
	ReplicaSets map[string][]ReplicaSet
	// Notes are the decisions worth telling the user, in order.
	Notes []string
}

// FieldChange is one field of an existing resource that the config changes.
type FieldChange struct {
	Field    string
	From, To string
}

// RegionPlan is one resolved target region.
type RegionPlan struct {
	Name                string
	Replicas            int32
	StorageAccountType  string
	ExcludeFromLatest   *bool
	DiskEncryptionSetID string
	// ConfidentialVMEncryptionType and SecureVMDiskEncryptionSetID: see TargetRegion.
	ConfidentialVMEncryptionType, SecureVMDiskEncryptionSetID string
}

// Defaults Azure applies to a definition, made explicit so the plan is exact (the replica and storage
// defaults and limits are in rules.go).
const (
	defaultHyperVGeneration = "V1"
	defaultArchitecture     = "x64"
	defaultSecurityType     = "Standard"
)

// Plan decides what a publish does from the request and what exists. It is pure: every refusal is
// returned as an error that names the setting and the fix, before anything is written.
func Plan(req Request, obs *Observed) (*Actions, error) {
	if obs == nil {
		return nil, errors.New("plan: nothing observed")
	}
	src := obs.Source
	a := &Actions{Location: NormalizeRegion(src.Location)}
	if a.Location == "" {
		return nil, fmt.Errorf("source %s: Azure reports no location for it", src.ID)
	}
	if ps := src.ProvisioningState; ps != "" && !strings.EqualFold(ps, "Succeeded") {
		return nil, fmt.Errorf("source %s is %s, not Succeeded; wait for it to finish or rebuild it", src.ID, ps)
	}
	if err := planGallery(req, obs, a); err != nil {
		return nil, err
	}
	if n := softDeleteNote(req, a, obs); n != "" { // softdelete.go
		a.Notes = append(a.Notes, n)
	}
	if err := planDefinition(req, obs, a); err != nil {
		return nil, err
	}
	if err := planRegions(req, src, a); err != nil {
		return nil, err
	}
	if err := planVersion(req, obs, a); err != nil {
		return nil, err
	}
	return a, nil
}

func planGallery(req Request, obs *Observed, a *Actions) error {
	g := obs.Gallery
	if g == nil {
		if !req.CreateGallery {
			return fmt.Errorf("gallery %q does not exist in resource group %q; set create_gallery = true to create it, or fix gallery_name and resource_group", req.GalleryName, req.ResourceGroup)
		}
		a.CreateGallery = true
		a.Notes = append(a.Notes, fmt.Sprintf("Gallery %s does not exist: creating it in %s.", req.GalleryName, a.Location))
		return nil
	}
	if g.Location != "" && g.Location != a.Location {
		return fmt.Errorf("gallery %q is in %s, but the source image is in %s; Azure needs the source in the gallery's region: build the image in %s, or use a gallery in %s", req.GalleryName, g.Location, a.Location, g.Location, a.Location)
	}
	a.Notes = append(a.Notes, fmt.Sprintf("Using gallery %s (%s).", req.GalleryName, a.Location))
	return nil
}

// resolveDefinition fills the OS fields the config leaves empty from the source, and refuses a config
// that contradicts the source.
func resolveDefinition(req Request, src Source) (DefinitionSpec, error) {
	d := req.Definition
	var errs []string
	pick := func(field, cfg, fromSrc, def string) string {
		switch {
		case cfg != "" && fromSrc != "" && !strings.EqualFold(cfg, fromSrc):
			errs = append(errs, fmt.Sprintf("%s is %s, but the source image is %s; remove %s to take the source's value, or use another source", field, cfg, fromSrc, field))
			return cfg
		case cfg != "":
			return cfg
		case fromSrc != "":
			return fromSrc
		}
		return def
	}
	d.OSType = pick("os_type", d.OSType, src.OSType, "")
	d.HyperVGeneration = pick("hyper_v_generation", d.HyperVGeneration, src.HyperVGeneration, defaultHyperVGeneration)
	d.Architecture = pick("architecture", d.Architecture, src.Architecture, "")
	d.SecurityType = pick("security_type", d.SecurityType, src.SecurityType, "")
	// A gallery version of a managed image must be Generalized (the seed FAQ); publishing a Specialized
	// one is allowed only when os_state says so explicitly.
	if d.OSState == "" {
		d.OSState = "Generalized"
	}
	if strings.EqualFold(d.OSState, "Generalized") && strings.EqualFold(src.OSState, "Specialized") {
		errs = append(errs, "the source image is Specialized, but a Generalized definition needs a generalized image; generalize it (sysprep, or waagent -deprovision+user) or set os_state = \"Specialized\"")
	}
	if d.OSType == "" {
		errs = append(errs, "os_type: the source does not say its OS type; set os_type to Linux or Windows")
	}
	errs = append(errs, sourceRules(&d, src)...)
	errs = append(errs, dataDiskRules(src, req.DataDisks)...)
	if len(errs) > 0 {
		return d, fmt.Errorf("definition %q: %s", d.Name, strings.Join(errs, "; "))
	}
	return d, nil
}

func planDefinition(req Request, obs *Observed, a *Actions) error {
	d, err := resolveDefinition(req, obs.Source)
	if err != nil {
		return err
	}
	a.Definition = d
	ex := obs.Definition
	if obs.Gallery == nil || ex == nil {
		if !req.Definition.Create {
			return fmt.Errorf("image definition %q does not exist in gallery %q; set create_image = true to create it, or fix image_name", d.Name, req.GalleryName)
		}
		var missing []string
		for _, f := range []struct{ name, v string }{{"publisher", d.Publisher}, {"offer", d.Offer}, {"sku", d.Sku}} {
			if f.v == "" {
				missing = append(missing, f.name)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("image definition %q does not exist, and creating it needs %s; set them (they identify the image and cannot change later)", d.Name, strings.Join(missing, ", "))
		}
		a.CreateDefinition = true
		a.Notes = append(a.Notes, fmt.Sprintf("Image definition %s does not exist: creating it (%s, %s, %s, Hyper-V %s).", d.Name, d.OSType, d.OSState, orDefault(d.Architecture, defaultArchitecture), d.HyperVGeneration))
		return nil
	}
	if ex.Location != "" && ex.Location != a.Location {
		return fmt.Errorf("image definition %q is in %s, but the source image is in %s; Azure needs them in the same region: use a definition in %s", d.Name, ex.Location, a.Location, a.Location)
	}
	if diff := definitionDiff(withoutUpgrade(d, ex), ex); len(diff) > 0 { // upgrade.go
		return fmt.Errorf("image definition %q does not match the image being published:\n  - %s\nThese cannot change on an existing definition: publish to a new image_name, or use a matching source",
			d.Name, strings.Join(diff, "\n  - "))
	}
	a.DefinitionUpdates = append(definitionUpdates(d, ex), upgradeChanges(d, ex)...)
	if why := MayWrite(WriteConverge, ex.Tags, req.Lifecycle.RunID); why != nil && len(a.DefinitionUpdates) > 0 {
		a.Notes = append(a.Notes, fmt.Sprintf("Image definition %s exists and matches, but %v: leaving it as it is, although it differs from the config in %s.",
			d.Name, why, fieldChanges(a.DefinitionUpdates)))
		a.DefinitionUpdates = nil
	} else if len(a.DefinitionUpdates) > 0 {
		var names []string
		for _, c := range a.DefinitionUpdates {
			names = append(names, c.Field)
		}
		a.Notes = append(a.Notes, fmt.Sprintf("Image definition %s exists and matches; updating %s.", d.Name, strings.Join(names, ", ")))
	} else {
		a.Notes = append(a.Notes, fmt.Sprintf("Image definition %s exists and matches.", d.Name))
	}
	return nil
}

// definitionDiff lists the immutable fields where the existing definition and the image disagree,
// each as "field: definition has X, image has Y".
func definitionDiff(want DefinitionSpec, ex *ObservedDefinition) []string {
	var diff []string
	cmp := func(field, have, wantV, haveDefault string) {
		if have == "" {
			have = haveDefault
		}
		if wantV == "" || strings.EqualFold(have, wantV) {
			return
		}
		diff = append(diff, fmt.Sprintf("%s: definition has %s, image has %s", field, orDefault(have, "(none)"), wantV))
	}
	cmp("os_type", ex.OSType, want.OSType, "")
	cmp("os_state", ex.OSState, want.OSState, "")
	cmp("hyper_v_generation", ex.HyperVGeneration, want.HyperVGeneration, defaultHyperVGeneration)
	cmp("architecture", ex.Architecture, want.Architecture, defaultArchitecture)
	cmp("security_type", ex.SecurityType, want.SecurityType, defaultSecurityType)
	cfg := func(field, have, wantV string) {
		if wantV != "" && !strings.EqualFold(have, wantV) {
			diff = append(diff, fmt.Sprintf("%s: definition has %s, config has %s", field, orDefault(have, "(none)"), wantV))
		}
	}
	cfg("publisher", ex.Publisher, want.Publisher)
	cfg("offer", ex.Offer, want.Offer)
	cfg("sku", ex.Sku, want.Sku)
	return diff
}

// definitionUpdates lists the fields Azure lets change on a definition that the config sets to a
// different value. Unset config fields leave the definition alone.
func definitionUpdates(want DefinitionSpec, ex *ObservedDefinition) []FieldChange {
	var ch []FieldChange
	str := func(field, have, wantV string) {
		if wantV != "" && have != wantV {
			ch = append(ch, FieldChange{Field: field, From: have, To: wantV})
		}
	}
	num := func(field string, have, wantV int32) {
		if wantV != 0 && have != wantV {
			ch = append(ch, FieldChange{Field: field, From: fmt.Sprint(have), To: fmt.Sprint(wantV)})
		}
	}
	str("description", ex.Description, want.Description)
	str("eula", ex.Eula, want.Eula)
	str("privacy_statement_uri", ex.PrivacyStatementURI, want.PrivacyStatementURI)
	str("release_note_uri", ex.ReleaseNoteURI, want.ReleaseNoteURI)
	num("recommended_vcpus_min", ex.MinVCPUs, want.MinVCPUs)
	num("recommended_vcpus_max", ex.MaxVCPUs, want.MaxVCPUs)
	num("recommended_memory_min", ex.MinMemoryGB, want.MinMemoryGB)
	num("recommended_memory_max", ex.MaxMemoryGB, want.MaxMemoryGB)
	if want.EndOfLife != nil && (ex.EndOfLife == nil || !ex.EndOfLife.Equal(*want.EndOfLife)) {
		from := ""
		if ex.EndOfLife != nil {
			from = ex.EndOfLife.UTC().Format(time.RFC3339)
		}
		ch = append(ch, FieldChange{Field: "end_of_life_date", From: from, To: want.EndOfLife.UTC().Format(time.RFC3339)})
	}
	return ch
}

// planRegions resolves the target regions: normalized, the source region always included (first),
// duplicates refused, defaults applied.
func planRegions(req Request, src Source, a *Actions) error {
	defReplicas := req.ReplicaCount
	if defReplicas == 0 {
		defReplicas = DefaultReplicaCount
	}
	defType := orDefault(req.StorageAccountType, DefaultStorageAccountType)
	if req.StorageAccountStrategy != "" {
		if err := CheckStorageStrategy(req.StorageAccountStrategy, req.StorageAccountType); err != nil {
			return err
		}
		defType = "" // the strategy stores the regions that set no type of their own
		a.StorageAccountStrategy = req.StorageAccountStrategy
	}
	seen := map[string]string{}
	var regions []RegionPlan
	for i, tr := range req.TargetRegions {
		name, err := CheckRegion(tr.Name)
		if err != nil {
			return fmt.Errorf("target_region[%d].name: %w", i, err)
		}
		if prev, dup := seen[name]; dup {
			return fmt.Errorf("target_region[%d].name: %q is the same region as %q (both are %s); list each region once", i, tr.Name, prev, name)
		}
		seen[name] = tr.Name
		rp := RegionPlan{Name: name, Replicas: tr.Replicas, StorageAccountType: orDefault(tr.StorageAccountType, defType), ExcludeFromLatest: tr.ExcludeFromLatest, DiskEncryptionSetID: tr.DiskEncryptionSetID,
			ConfidentialVMEncryptionType: tr.ConfidentialVMEncryptionType, SecureVMDiskEncryptionSetID: tr.SecureVMDiskEncryptionSetID}
		if rp.Replicas == 0 {
			rp.Replicas = defReplicas
		}
		if err := CheckReplicas(fmt.Sprintf("target_region[%d].replicas", i), rp.Replicas); err != nil {
			return err
		}
		shallow := strings.EqualFold(req.ReplicationMode, ReplicationShallow)
		if errs := CheckReplicaSets(fmt.Sprintf("target_region[%d]", i), rp.StorageAccountType, tr.AdditionalReplicaSets, shallow); len(errs) > 0 {
			return errors.Join(errs...)
		}
		a.addReplicaSets(name, tr.AdditionalReplicaSets)
		regions = append(regions, rp)
	}
	if _, ok := seen[a.Location]; !ok {
		regions = append([]RegionPlan{{Name: a.Location, Replicas: defReplicas, StorageAccountType: defType}}, regions...)
		if len(req.TargetRegions) > 0 {
			a.Notes = append(a.Notes, fmt.Sprintf("Adding the source region %s to the target regions (Azure requires it).", a.Location))
		}
	} else {
		// Source region first: it is where Azure copies from, and reads best in the progress.
		for i, r := range regions {
			if r.Name == a.Location && i > 0 {
				regions = append([]RegionPlan{r}, append(regions[:i:i], regions[i+1:]...)...)
				break
			}
		}
	}
	if err := CheckReplicas("replica_count", defReplicas); err != nil {
		return err
	}
	if strings.EqualFold(req.ReplicationMode, ReplicationShallow) {
		targets := make([]ReplicaTarget, len(regions))
		for i, r := range regions {
			targets[i] = ReplicaTarget{Name: r.Name, Replicas: r.Replicas}
		}
		if errs := CheckShallow(a.Location, defReplicas, targets); len(errs) > 0 {
			return errors.Join(errs...)
		}
	}
	a.Regions = regions
	replicas, _ := a.storageBreakdown()
	a.FootprintGiB = src.SizeGiB * replicas
	return nil
}

func planVersion(req Request, obs *Observed, a *Actions) error {
	name := req.Version.Version
	if IsAuto(name) {
		return errors.New("image_version: \"auto\" must be resolved to a number before planning (Publish does it)")
	}
	if _, err := ParseVersion(name); err != nil {
		return fmt.Errorf("image_version: %w", err)
	}
	a.VersionName = name
	v := obs.Version
	if v == nil || a.CreateDefinition || a.CreateGallery {
		a.Version = VersionCreate
		a.Notes = append(a.Notes, fmt.Sprintf("Version %s does not exist: creating it in %d region(s).", name, len(a.Regions)))
		return nil
	}
	if v.SourceID == "" {
		return fmt.Errorf("version %s already exists, and Azure does not say its source, so it may not be this image; choose another image_version (it is never overwritten)", name)
	}
	if !strings.EqualFold(strings.TrimSpace(v.SourceID), strings.TrimSpace(obs.Source.ID)) {
		return fmt.Errorf("version %s already exists from a different source (%s, not %s); choose another image_version (or image_version = \"auto\"): an existing version is never overwritten", name, v.SourceID, obs.Source.ID)
	}
	switch state := strings.ToLower(v.ProvisioningState); {
	case state == "failed" || strings.EqualFold(v.AggregatedState, "Failed"):
		return fmt.Errorf("version %s exists from this source but is Failed%s; delete it (az sig image-version delete --resource-group %s --gallery-name %s --gallery-image-definition %s --gallery-image-version %s) and re-run, or choose another image_version",
			name, failedRegions(v.Regions), req.ResourceGroup, req.GalleryName, req.Definition.Name, name)
	case state == "succeeded" && !Owns(v.Tags):
		return reuseForeign(req, a, v)
	case state == "succeeded":
		changes, err := convergeDiff(req, a, v)
		if err != nil {
			return err
		}
		if len(changes) > 0 {
			a.Version, a.VersionUpdates = VersionUpdate, changes
			a.Notes = append(a.Notes, fmt.Sprintf("Version %s already exists from this source: converging it with the config (%s).", name, changeNames(changes)))
			return nil
		}
		a.Version = VersionReuse
		a.Notes = append(a.Notes, fmt.Sprintf("Version %s already exists from this source and has replicated: reusing it.", name))
	case state == "creating" || state == "updating" || state == "" || strings.EqualFold(v.AggregatedState, "InProgress"):
		a.Version = VersionResume
		a.Notes = append(a.Notes, fmt.Sprintf("Version %s already exists from this source and is still replicating: resuming the wait.", name))
	default:
		return fmt.Errorf("version %s is %s; wait for that to finish and re-run, or choose another image_version", name, v.ProvisioningState)
	}
	return nil
}

// failedRegions formats the failed regions of a version with Azure's details.
func failedRegions(rs []RegionStatus) string {
	var parts []string
	for _, r := range rs {
		if strings.EqualFold(r.State, "Failed") {
			parts = append(parts, fmt.Sprintf("%s: %s", r.Name, orDefault(r.Details, "no details")))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// reuseForeign reuses, read-only, a succeeded version from this source that the plugin does not own,
// and says which of its fields differ from the config (they stay as they are).
func reuseForeign(req Request, a *Actions, v *ObservedVersion) error {
	a.Version = VersionReuse
	changes, err := convergeDiff(req, a, v)
	diff := ""
	switch {
	case err != nil:
		diff = "; it differs from the config: " + err.Error()
	case len(changes) > 0:
		diff = "; it differs from the config in " + fieldChanges(changes) + ", which this run leaves as they are"
	}
	a.Notes = append(a.Notes, fmt.Sprintf("Version %s already exists from this source but was not published by this plugin: reusing it read-only%s (%s).",
		a.VersionName, diff, AdoptHint(req, a.VersionName)))
	return nil
}

// fieldChanges formats changes as "field (from → to), ...".
func fieldChanges(ch []FieldChange) string {
	var parts []string
	for _, c := range ch {
		parts = append(parts, fmt.Sprintf("%s (%q here, %q in the config)", c.Field, c.From, c.To))
	}
	return strings.Join(parts, ", ")
}
