package purge

import (
	"context"
	"errors"
	"slices"
	"testing"
)

const (
	webp640 = "/format=webp,quality=75,width=640"
	jpeg320 = "/format=jpeg,quality=75,width=320"
)

func twoRegions() (*memSource, *memBucket, *memBucket, *Purger) {
	src := &memSource{cur: map[string]string{}}
	a, b := newBucket("eu-west-1"), newBucket("us-east-1")
	return src, a, b, &Purger{Source: src, Buckets: []Bucket{a, b}}
}

func TestPassDeletesStaleVariantsEverywhereAndKeepsFreshOnes(t *testing.T) {
	src, a, b, p := twoRegions()
	src.set("shoe.jpg", "new")
	a.put("shoe.jpg"+webp640, "old", false)
	a.put("shoe.jpg"+jpeg320, "new", false)
	b.put("shoe.jpg"+webp640, "old", false)
	b.put("shoe.jpg"+jpeg320, "", false) // made before variants recorded their source
	// Not variants of shoe.jpg: another original's, and one stored under it.
	a.put("shoe.jpg2"+webp640, "old", false)
	a.put("shoe.jpg/lace.jpg"+webp640, "old", false)

	r, err := p.Pass(context.Background(), "shoe.jpg", false)
	if err != nil {
		t.Fatal(err)
	}
	wantDeleted := []string{"eu-west-1 shoe.jpg" + webp640, "us-east-1 shoe.jpg" + jpeg320, "us-east-1 shoe.jpg" + webp640}
	if !slices.Equal(r.Deleted, wantDeleted) || r.Kept != 1 || len(r.Pending) != 0 || !r.Exists || r.ETag != "new" {
		t.Errorf("report %+v; want deleted %v, kept 1", r, wantDeleted)
	}
	if got, want := a.keys(), []string{"shoe.jpg" + jpeg320, "shoe.jpg/lace.jpg" + webp640, "shoe.jpg2" + webp640}; !slices.Equal(got, want) {
		t.Errorf("eu-west-1 holds %v, want %v", got, want)
	}
	if got := b.keys(); len(got) != 0 {
		t.Errorf("us-east-1 holds %v, want nothing", got)
	}
	// Again: nothing left to do.
	if r, err := p.Pass(context.Background(), "shoe.jpg", false); err != nil || !r.Clean() || r.Kept != 1 {
		t.Errorf("second pass %+v, %v; want clean", r, err)
	}
}

func TestPassAfterADeleteRemovesEveryVariant(t *testing.T) {
	_, a, b, p := twoRegions() // the original does not exist
	a.put("gone.png"+webp640, "v1", false)
	b.put("gone.png"+webp640, "v1", false)
	r, err := p.Pass(context.Background(), "gone.png", false)
	if err != nil || r.Exists || len(r.Deleted) != 2 {
		t.Fatalf("report %+v, %v; want both copies deleted", r, err)
	}
	if len(a.keys())+len(b.keys()) != 0 {
		t.Errorf("left %v %v", a.keys(), b.keys())
	}
}

func TestPassWithForceDeletesFreshVariantsToo(t *testing.T) {
	src, a, _, p := twoRegions()
	src.set("k.jpg", "v1")
	a.put("k.jpg"+webp640, "v1", false)
	r, err := p.Pass(context.Background(), "k.jpg", true)
	if err != nil || len(r.Deleted) != 1 || r.Kept != 0 {
		t.Fatalf("report %+v, %v; want the fresh variant deleted", r, err)
	}
}

func TestPassLeavesVariantsWhoseReplicationIsPending(t *testing.T) {
	src, a, b, p := twoRegions()
	src.set("k.jpg", "v2")
	a.put("k.jpg"+webp640, "v1", true)
	b.put("k.jpg"+jpeg320, "v1", false)
	r, err := p.Pass(context.Background(), "k.jpg", false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Pending, []string{"eu-west-1 k.jpg" + webp640}) || !slices.Equal(r.Deleted, []string{"us-east-1 k.jpg" + jpeg320}) {
		t.Errorf("report %+v; want the pending one left and reported, the other deleted", r)
	}
	if !slices.Equal(a.keys(), []string{"k.jpg" + webp640}) {
		t.Errorf("eu-west-1 holds %v", a.keys())
	}
}

func TestPassEmptyKeyIsHarmless(t *testing.T) {
	src, _, _, p := twoRegions()
	src.set("never-converted.jpg", "v1")
	r, err := p.Pass(context.Background(), "never-converted.jpg", false)
	if err != nil || !r.Clean() || r.Kept != 0 {
		t.Errorf("report %+v, %v; want a clean pass", r, err)
	}
}

func TestPassReportsErrors(t *testing.T) {
	src, a, b, p := twoRegions()
	src.err = errors.New("main bucket unreachable")
	if _, err := p.Pass(context.Background(), "k.jpg", false); err == nil {
		t.Error("a pass that cannot read the current version succeeded")
	}
	src.err = nil
	src.set("k.jpg", "v2")
	a.err = errors.New("listing failed")
	b.put("k.jpg"+webp640, "v1", false)
	r, err := p.Pass(context.Background(), "k.jpg", false)
	if err == nil || !slices.Equal(r.Deleted, []string{"us-east-1 k.jpg" + webp640}) {
		t.Errorf("report %+v, %v; want the error and the other region's work", r, err)
	}
}

// A replica of a stale variant lands in one region while a pass runs: the
// pass deletes the home copy (its replication has just completed) but listed
// the other region before the copy landed. Settle passes again and finds it.
func TestSettleCatchesAReplicaThatLandsDuringAPass(t *testing.T) {
	src, a, b, p := twoRegions()
	src.set("k.jpg", "v2")
	b.put("k.jpg"+webp640, "v1", false) // home copy, replication just completed
	landed := false
	a.onList = func() { // eu-west-1 is listed first, then the copy lands
		if !landed {
			landed = true
			a.put("k.jpg"+webp640, "v1", false)
		}
	}
	r, settled, err := p.Settle(context.Background(), "k.jpg", false)
	if err != nil || !settled {
		t.Fatalf("report %+v settled=%v err=%v", r, settled, err)
	}
	if len(a.keys())+len(b.keys()) != 0 || len(r.Deleted) != 2 {
		t.Errorf("left %v %v, deleted %v; want both copies gone", a.keys(), b.keys(), r.Deleted)
	}
}

func TestSettleStopsWhileReplicationIsPending(t *testing.T) {
	src, a, _, p := twoRegions()
	src.set("k.jpg", "v2")
	a.put("k.jpg"+webp640, "v1", true)
	r, settled, err := p.Settle(context.Background(), "k.jpg", false)
	if err != nil || settled || len(r.Pending) != 1 {
		t.Fatalf("report %+v settled=%v err=%v; want not settled, one pending", r, settled, err)
	}
	a.put("k.jpg"+webp640, "v1", false) // replication completed
	if r, settled, err = p.Settle(context.Background(), "k.jpg", false); err != nil || !settled || len(r.Deleted) != 1 {
		t.Fatalf("report %+v settled=%v err=%v; want it deleted and settled", r, settled, err)
	}
}
