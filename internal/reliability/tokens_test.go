package reliability

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// EnvFull runs R7 at the full scale (60 s tokens, a 5-minute publish) instead of the CI scale.
const EnvFull = "RELIABILITY_FULL"

// TestR7TokenRefresh: access tokens expire several times during one publish, which completes because
// the credential gets fresh tokens. CI scale: 20 s tokens, a ~65 s replication; RELIABILITY_FULL=1:
// 60 s tokens, a ~5 min replication (the numbers). Same property: several expiries per publish.
func TestR7TokenRefresh(t *testing.T) {
	acctest.Require(t, tools)
	t.Parallel()
	lifetime, base := 20*time.Second, "60s"
	if os.Getenv(EnvFull) != "" {
		lifetime, base = 60*time.Second, "295s"
	}
	row := scenario(t, "R7 token expiry", fmt.Sprintf("token_lifetime %s, replication ~%s+5s", lifetime, base))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	f := newFixture(ctx, t, emulatorConfig(base, 5, map[string]any{"token_lifetime": lifetime.String()}))
	row.Before = len(f.inventory(ctx, t).Versions())
	start := time.Now()
	run := f.build(ctx, t)
	elapsed := time.Since(start)
	if run.ExitCode != 0 {
		t.Fatalf("the publish failed (%d) after %s:\n%s", run.ExitCode, elapsed, run.Output)
	}
	after := f.inventory(ctx, t)
	row.After = len(after.Versions())
	assertPublished(t, after, "1.0.0", threeRegions)
	reqs, err := f.emu.Requests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tokens, unauthorized := 0, 0
	for _, r := range reqs {
		p, _ := r["path"].(string)
		st, _ := r["status"].(float64)
		if strings.HasSuffix(p, "/oauth2/v2.0/token") && st == 200 {
			tokens++
		}
		if strings.HasPrefix(strings.ToLower(p), "/subscriptions/") && st == 401 {
			unauthorized++
		}
	}
	expiries := int(elapsed / lifetime)
	if expiries < 2 {
		t.Fatalf("the publish took %s, under two token lifetimes: lengthen the replication", elapsed)
	}
	// Each process (packer's plugin runs once per component) gets at least one token per lifetime it
	// spans; fewer tokens than expiries means a stale token was used.
	if tokens < expiries {
		t.Errorf("%d tokens issued over %s with %s tokens; want at least %d", tokens, elapsed.Round(time.Second), lifetime, expiries)
	}
	row.Result = fmt.Sprintf("completed in %s: %d tokens issued, %d ARM 401s", elapsed.Round(time.Second), tokens, unauthorized)
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
