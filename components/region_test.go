package components

import (
	"slices"
	"strings"
	"testing"

	"imgcells/components/stackconfig"
)

func ruleIDs(d *deployment, name string) []string {
	rc := d.named(tReplication, name)
	if rc == nil {
		return nil
	}
	var ids []string
	for i := range get(rc.Inputs, "rules").ArrayValue() {
		ids = append(ids, str(rc.Inputs, "rules", i, "id"))
	}
	slices.Sort(ids)
	return ids
}

// Adding a region to the stack file adds exactly one cell (and its provider), one
// replication rule towards it from every existing bucket that replicates, and replaces
// the MRAP under a new name; nothing else appears or disappears.
func TestAddingARegionAddsOneCell(t *testing.T) {
	base := stackconfig.Raw{stackconfig.KeyRegions: `["us-east-1","eu-west-1"]`, stackconfig.KeyPrimaryRegion: "us-east-1", stackconfig.KeyOriginVerifySecret: testSecret,
		stackconfig.KeyDomain: "img.example.com", stackconfig.KeyHostedZoneID: "Z0ABCDEF"}
	before := mustPreview(t, "prod", base)
	after := mustPreview(t, "prod", with(base, stackconfig.KeyRegions, `["us-east-1","eu-west-1","ap-northeast-1"]`))

	key := func(r *recorded) string { return r.Type + " " + r.Name }
	old := map[string]bool{}
	for _, r := range before.resources {
		old[key(r)] = true
	}
	now := map[string]bool{}
	var added []string
	for _, r := range after.resources {
		now[key(r)] = true
		if !old[key(r)] {
			added = append(added, key(r))
		}
	}
	for k := range old {
		if !now[k] {
			t.Errorf("adding a region removed %s", k)
		}
	}
	newCell := CellName("ap-northeast-1")
	cells := 0
	for _, k := range added {
		typ, name, _ := strings.Cut(k, " ")
		switch {
		case typ == CellType:
			cells++
			if name != newCell {
				t.Errorf("added cell %s", name)
			}
		case typ == "pulumi:providers:aws" && name == "aws-ap-northeast-1":
		case strings.HasPrefix(name, newCell+"-"):
		case typ == tRecord && name == child(FrontName, "convert-ap-northeast-1"):
		default:
			t.Errorf("adding a region added %s, which is not part of the new cell", k)
		}
	}
	if cells != 1 {
		t.Errorf("added %d cells", cells)
	}
	for _, r := range []string{"us-east-1", "eu-west-1"} {
		name := child(CellName(r), "transformed-replication")
		got := ruleIDs(after, name)
		want := append(ruleIDs(before, name), "to-ap-northeast-1")
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s rules %v, want %v", name, got, want)
		}
	}
	if got := ruleIDs(after, child(CellName("ap-northeast-1"), "transformed-replication")); !slices.Equal(got, []string{"to-eu-west-1", "to-us-east-1"}) {
		t.Errorf("new cell replicates to %v", got)
	}
	src := child(CellName("us-east-1"), "source-replication")
	if got := ruleIDs(after, src); !slices.Equal(got, []string{"to-ap-northeast-1", "to-eu-west-1"}) {
		t.Errorf("%s rules %v", src, got)
	}
	mrapName := func(d *deployment) string { return str(d.ofType(tMRAP)[0].Inputs, "details", "name") }
	if mrapName(before) == mrapName(after) {
		t.Errorf("the MRAP keeps its name %q across a region change, so it cannot be created before the old one is deleted", mrapName(after))
	}
}

// An invalid stack config fails the run (the preview) before any resource exists.
func TestInvalidConfigFailsThePreview(t *testing.T) {
	d, err := preview(t, "dev", stackconfig.Raw{stackconfig.KeyRegions: `["us-east-1","me-south-1"]`, stackconfig.KeyPrimaryRegion: "us-east-1"})
	if err == nil {
		t.Fatal("preview succeeded")
	}
	for _, want := range []string{"imgcells:regions", `"me-south-1" is an opt-in region`, stackconfig.SecretCommand} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if len(d.resources) != 0 {
		t.Errorf("%d resources registered despite the invalid config", len(d.resources))
	}
}

// A prebuilt zip that does not exist fails with a message naming the config key.
func TestMissingPrebuiltZipFailsThePreview(t *testing.T) {
	_, err := preview(t, "dev", with(stackFile(t, "dev"), stackconfig.KeyConverterZip, t.TempDir()+"/nope.zip"))
	if err == nil || !strings.Contains(err.Error(), "imgcells:converterZip") {
		t.Fatalf("error %v does not name imgcells:converterZip", err)
	}
}
