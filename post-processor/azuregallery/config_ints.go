package azuregallery

// deref32 reads an optional int32 config field: nil (unset) is 0, which the core reads as "the default".
// The fields are pointers so that an explicit 0, which Azure refuses (its minimum is 1), can be told
// from unset and refused at validate, as the SDK does for optional ints.
func deref32(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

func ptr32(v int32) *int32 { return &v }
