package upload

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// putLoop is the baseline: every 4 MiB of the file PUT as a page write with net/http, zeros included,
// by streams workers. It measures what Azurite itself can take.
func putLoop(tb testing.TB, path, sasURL string, size int64, streams int) float64 {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	base, query, _ := strings.Cut(sasURL, "?")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: streams}}
	offs := make(chan int64)
	errs := make(chan error, streams)
	var wg sync.WaitGroup
	start := time.Now()
	for range streams {
		wg.Go(func() {
			buf := make([]byte, 4<<20)
			for off := range offs {
				n := min(int64(len(buf)), size-off)
				if _, err := f.ReadAt(buf[:n], off); err != nil && err != io.EOF {
					errs <- err
					return
				}
				req, _ := http.NewRequest(http.MethodPut, base+"?comp=page&"+query, bytes.NewReader(buf[:n]))
				req.Header.Set("x-ms-page-write", "update")
				req.Header.Set("x-ms-range", fmt.Sprintf("bytes=%d-%d", off, off+n-1))
				req.Header.Set("x-ms-version", "2021-12-02")
				resp, err := client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					errs <- fmt.Errorf("PUT page at %d: %s", off, resp.Status)
					return
				}
			}
		})
	}
	for off := int64(0); off < size; off += 4 << 20 {
		select {
		case offs <- off:
		case err := <-errs:
			tb.Fatal(err)
		}
	}
	close(offs)
	wg.Wait()
	select {
	case err := <-errs:
		tb.Fatal(err)
	default:
	}
	return time.Since(start).Seconds()
}
