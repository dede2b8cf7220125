package vhd

import (
	"context"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/pageblob"
)

// PageRangeLister is the part of *pageblob.Client that verification uses.
type PageRangeLister interface {
	NewGetPageRangesPager(o *pageblob.GetPageRangesOptions) *runtime.Pager[pageblob.GetPageRangesResponse]
}

// MismatchError says the blob's page ranges differ from what the upload wrote.
type MismatchError struct {
	Want, Got []Range // merged
	First     string  // the first difference, in words
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("the uploaded disk's page ranges do not match what was sent (%d ranges sent, %d on the disk): %s", len(e.Want), len(e.Got), e.First)
}

// VerifyPageRanges lists the blob's written page ranges and checks that they are exactly want (sorted,
// merged), so a lost or stray write is caught before an image is built from the disk.
func VerifyPageRanges(ctx context.Context, c PageRangeLister, want []Range) error {
	var got []Range
	pager := c.NewGetPageRangesPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing the disk's page ranges: %w", err)
		}
		for _, pr := range page.PageRange {
			if pr == nil || pr.Start == nil || pr.End == nil {
				continue
			}
			got = append(got, Range{*pr.Start, *pr.End + 1}) // End is inclusive on the wire
		}
	}
	got = MergeRanges(got)
	want = MergeRanges(append([]Range(nil), want...))
	if d := firstDifference(want, got); d != "" {
		return &MismatchError{Want: want, Got: got, First: d}
	}
	return nil
}

func firstDifference(want, got []Range) string {
	for i := 0; i < max(len(want), len(got)); i++ {
		switch {
		case i >= len(got):
			return fmt.Sprintf("range %v was sent but is missing on the disk", want[i])
		case i >= len(want):
			return fmt.Sprintf("the disk has range %v that was never sent", got[i])
		case want[i] != got[i]:
			return fmt.Sprintf("sent %v but the disk has %v", want[i], got[i])
		}
	}
	return ""
}
