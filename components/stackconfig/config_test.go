package stackconfig

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"imgcells/contract"
	"imgcells/edge"
)

const testSecret = "0123456789abcdef0123456789abcdef"

func devRaw() Raw {
	return Raw{
		KeyRegions:            `["us-east-1","ap-southeast-1"]`,
		KeyPrimaryRegion:      "us-east-1",
		KeyOriginVerifySecret: testSecret,
	}
}

func with(r Raw, kv ...string) Raw {
	out := Raw{}
	maps.Copy(out, r)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "<unset>" {
			delete(out, kv[i])
			continue
		}
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestParseDefaults(t *testing.T) {
	c, err := Parse(devRaw())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Regions, []string{"us-east-1", "ap-southeast-1"}) || c.PrimaryRegion != "us-east-1" {
		t.Errorf("regions %v primary %q", c.Regions, c.PrimaryRegion)
	}
	def := edge.DefaultConfig()
	if !reflect.DeepEqual(c.Edge, def) {
		t.Errorf("edge config %+v, want the edge defaults %+v", c.Edge, def)
	}
	if err := c.Edge.Validate(); err != nil {
		t.Errorf("default edge config invalid: %v", err)
	}
	if c.PriceClass != "PriceClass_100" || c.LogRetentionDays != 14 || c.TransformedExpiryDays != 30 || c.SourceVersionExpiryDays != 30 ||
		c.ConverterMemoryMB != 2048 || c.ConverterReservedConcurrency != 0 || c.ReplicationTimeControl ||
		c.APIThrottleRate != DefaultAPIThrottleRate || c.APIThrottleBurst != DefaultAPIThrottleBurst || c.RateLimit != 0 ||
		c.MaxSourceBytes != 25<<20 || c.MaxSourcePixels != 50_000_000 || c.MaxFrames != 500 || c.Domain != "" {
		t.Errorf("unexpected defaults: %+v", c)
	}
	wantMon := Monitoring{Thresholds: Thresholds{ErrorRatePercent: 5, Throttles: 1, DurationPercent: 80, CDN5xxRatePercent: 1, AlreadyStoredPercent: 50}}
	if c.Monitoring != wantMon {
		t.Errorf("monitoring defaults %+v, want %+v", c.Monitoring, wantMon)
	}
}

func TestParseEveryKey(t *testing.T) {
	raw := Raw{
		KeyRegions: "eu-west-1, us-west-2 ,ap-northeast-1", KeyPrimaryRegion: "us-west-2",
		KeyDomain: "img.example.com.", KeyHostedZoneID: "Z0123456789ABC",
		KeyWidths: "[320, 640, 1280]", KeyAspectRatios: `["1:1", "16:9", " 4:5 "]`, KeyQualities: `[50,80]`, KeyDefaultQuality: "80",
		KeySigning: "true", KeyAVIF: "true", KeyMaxSourceBytes: "1048576", KeyMaxSourcePixels: "1000000", KeyMaxFrames: "120",
		KeyConverterMemoryMB: "1024", KeyConverterReservedConcurrency: "20", KeyPriceClass: "PriceClass_All",
		KeyAPIThrottleRate: "250", KeyAPIThrottleBurst: " 500", KeyRateLimit: "2000 ",
		KeyTransformedExpiryDays: "7", KeyLogRetentionDays: "30", KeyReplicationTimeControl: "true",
		KeyOriginVerifySecret: testSecret, KeyConverterZip: "dist/prebuilt.zip", KeySourceVersionExpiryDays: "90",
		KeyAlarmEmail: "ops@example.com", KeyCDNAdditionalMetrics: "true", KeyAccessLogs: "true",
		KeyAlarmErrorRatePercent: "10", KeyAlarmThrottles: "5", KeyAlarmDurationPercent: "90",
		KeyAlarmCDN5xxRatePercent: "2", KeyAlarmAlreadyStoredPercent: "30",
	}
	c, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Regions: []string{"eu-west-1", "us-west-2", "ap-northeast-1"}, PrimaryRegion: "us-west-2",
		Domain: "img.example.com", HostedZoneID: "Z0123456789ABC",
		Edge: edge.Config{Widths: []int{320, 640, 1280}, AspectRatios: []edge.AspectRatio{{W: 1, H: 1}, {W: 16, H: 9}, {W: 4, H: 5}},
			Qualities: []int{50, 80}, DefaultQuality: 80, Signing: true, AVIF: true},
		MaxSourceBytes: 1 << 20, MaxSourcePixels: 1_000_000, MaxFrames: 120, ConverterMemoryMB: 1024, ConverterReservedConcurrency: 20,
		APIThrottleRate: 250, APIThrottleBurst: 500, RateLimit: 2000,
		PriceClass: "PriceClass_All", TransformedExpiryDays: 7, LogRetentionDays: 30, ReplicationTimeControl: true,
		OriginVerifySecret: testSecret, ConverterZip: "dist/prebuilt.zip", SourceVersionExpiryDays: 90,
		Monitoring: Monitoring{AlarmEmail: "ops@example.com", CDNAdditionalMetrics: true, AccessLogs: true,
			Thresholds: Thresholds{ErrorRatePercent: 10, Throttles: 5, DurationPercent: 90, CDN5xxRatePercent: 2, AlreadyStoredPercent: 30}},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
}

func TestSingleRegionPrimaryDefaults(t *testing.T) {
	c, err := Parse(with(devRaw(), KeyRegions, `["eu-central-1"]`, KeyPrimaryRegion, "<unset>"))
	if err != nil {
		t.Fatal(err)
	}
	if c.PrimaryRegion != "eu-central-1" {
		t.Errorf("primary %q", c.PrimaryRegion)
	}
}

// Every invalid value fails with an error naming its key and saying what is allowed.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		name string
		raw  Raw
		key  string
		says string
	}{
		{"no regions", with(devRaw(), KeyRegions, "<unset>"), KeyRegions, "is required"},
		{"empty regions", with(devRaw(), KeyRegions, "[]"), KeyRegions, "is required"},
		{"opt-in region", with(devRaw(), KeyRegions, `["us-east-1","af-south-1"]`), KeyRegions, `"af-south-1" is an opt-in region`},
		{"opt-in region ap-southeast-5", with(devRaw(), KeyRegions, `["us-east-1","ap-southeast-5"]`), KeyRegions, "opt-in"},
		{"unknown region", with(devRaw(), KeyRegions, `["us-east-1","mars-north-1"]`), KeyRegions, `"mars-north-1" is not a known AWS region`},
		{"duplicate region", with(devRaw(), KeyRegions, `["us-east-1","eu-west-1","us-east-1"]`), KeyRegions, "listed twice"},
		{"regions not a list", with(devRaw(), KeyRegions, `["us-east-1"`), KeyRegions, "is not a list"},
		{"primary missing", with(devRaw(), KeyPrimaryRegion, "<unset>"), KeyPrimaryRegion, "is required with more than one region"},
		{"primary not listed", with(devRaw(), KeyPrimaryRegion, "eu-west-1"), KeyPrimaryRegion, "must be one of imgcells:regions"},
		{"domain without zone", with(devRaw(), KeyDomain, "img.example.com"), KeyHostedZoneID, "is required when imgcells:domain is set"},
		{"zone without domain", with(devRaw(), KeyHostedZoneID, "Z0123456789ABC"), KeyDomain, "is required when imgcells:hostedZoneId is set"},
		{"bad domain", with(devRaw(), KeyDomain, "Img_Example", KeyHostedZoneID, "Z123"), KeyDomain, "lowercase DNS name"},
		{"bad zone", with(devRaw(), KeyDomain, "img.example.com", KeyHostedZoneID, "zone-1"), KeyHostedZoneID, "hosted zone id"},
		{"widths unsorted", with(devRaw(), KeyWidths, "[640,320]"), KeyWidths, "strictly ascending"},
		{"widths repeated", with(devRaw(), KeyWidths, "[320,320]"), KeyWidths, "strictly ascending"},
		{"width too big", with(devRaw(), KeyWidths, "[320,20000]"), KeyWidths, "from 1 to 16383"},
		{"width not a number", with(devRaw(), KeyWidths, `["wide"]`), KeyWidths, "whole numbers"},
		{"ratio not W:H", with(devRaw(), KeyAspectRatios, `["16/9"]`), KeyAspectRatios, `"16/9" is not W:H`},
		{"ratio unquoted in YAML", with(devRaw(), KeyAspectRatios, `["1:1", 969]`), KeyAspectRatios, `quoted in YAML`},
		{"ratio side too big", with(devRaw(), KeyAspectRatios, `["101:1"]`), KeyAspectRatios, "from 1 to 100"},
		{"ratio zero", with(devRaw(), KeyAspectRatios, "1:1,0:1"), KeyAspectRatios, "from 1 to 100"},
		{"same shape twice", with(devRaw(), KeyAspectRatios, `["4:3","1:1","8:6"]`), KeyAspectRatios, "4:3 and 8:6 are the same shape"},
		{"no ratios", with(devRaw(), KeyAspectRatios, "[]"), KeyAspectRatios, "at least one ratio"},
		{"too many ratios", with(devRaw(), KeyAspectRatios, manyRatios(25)), KeyAspectRatios, "at most 24"},
		{"qualities empty", with(devRaw(), KeyQualities, "[]"), KeyQualities, "has 0 values"},
		{"quality over 100", with(devRaw(), KeyQualities, "[50,101]"), KeyQualities, "from 1 to 100"},
		{"default quality not offered", with(devRaw(), KeyDefaultQuality, "77"), KeyDefaultQuality, "one of imgcells:qualities"},
		{"signing not bool", with(devRaw(), KeySigning, "yes please"), KeySigning, "true or false"},
		{"avif not bool", with(devRaw(), KeyAVIF, "maybe"), KeyAVIF, "true or false"},
		{"bytes too small", with(devRaw(), KeyMaxSourceBytes, "10"), KeyMaxSourceBytes, "from 1024 to"},
		{"pixels not a number", with(devRaw(), KeyMaxSourcePixels, "lots"), KeyMaxSourcePixels, "whole number"},
		{"no frames", with(devRaw(), KeyMaxFrames, "0"), KeyMaxFrames, "from 1 to 10000"},
		{"frames not a number", with(devRaw(), KeyMaxFrames, "many"), KeyMaxFrames, "whole number"},
		{"pixels beyond memory", with(devRaw(), KeyMaxSourcePixels, "200000000", KeyConverterMemoryMB, "512"), KeyMaxSourcePixels, "more than imgcells:converterMemoryMb (512 MB) leaves"},
		{"dev's pixels in half its memory", with(devRaw(), KeyMaxSourcePixels, "40000000", KeyConverterMemoryMB, "512"), KeyMaxSourcePixels,
			fmt.Sprintf("at most %d pixels fit", contract.Budget{MemoryMB: 512, Timeout: contract.ConverterTimeout}.MaxOrdinaryPixels())},
		{"memory below the converter's own", with(devRaw(), KeyConverterMemoryMB, "160", KeyMaxSourcePixels, "1000"), KeyConverterMemoryMB, "more than 160 MB is needed"},
		{"memory too big", with(devRaw(), KeyConverterMemoryMB, "20000"), KeyConverterMemoryMB, "from 128 to 10240"},
		{"negative concurrency", with(devRaw(), KeyConverterReservedConcurrency, "-1"), KeyConverterReservedConcurrency, "from 0 to"},
		{"throttle rate zero", with(devRaw(), KeyAPIThrottleRate, "0"), KeyAPIThrottleRate, "from 1 to 10000"},
		{"throttle rate above the account's", with(devRaw(), KeyAPIThrottleRate, "20000"), KeyAPIThrottleRate, "from 1 to 10000"},
		{"throttle burst above the account's", with(devRaw(), KeyAPIThrottleBurst, "5001"), KeyAPIThrottleBurst, "from 1 to 5000"},
		{"throttle burst not a number", with(devRaw(), KeyAPIThrottleBurst, "lots"), KeyAPIThrottleBurst, "whole number"},
		{"rate limit below WAF's lowest", with(devRaw(), KeyRateLimit, "9"), KeyRateLimit, "from 10 (AWS WAF's lowest)"},
		{"rate limit negative", with(devRaw(), KeyRateLimit, "-1"), KeyRateLimit, "0 for no web ACL"},
		{"rate limit not a number", with(devRaw(), KeyRateLimit, "on"), KeyRateLimit, "requests per 5 minutes per IP"},
		{"price class", with(devRaw(), KeyPriceClass, "PriceClass_Cheap"), KeyPriceClass, "one of PriceClass_100, PriceClass_200, PriceClass_All"},
		{"expiry zero", with(devRaw(), KeyTransformedExpiryDays, "0"), KeyTransformedExpiryDays, "from 1 to 3650"},
		{"old originals kept forever", with(devRaw(), KeySourceVersionExpiryDays, "0"), KeySourceVersionExpiryDays, "from 1 to 3650"},
		{"old originals kept a while", with(devRaw(), KeySourceVersionExpiryDays, "a month"), KeySourceVersionExpiryDays, "whole number"},
		{"retention not offered", with(devRaw(), KeyLogRetentionDays, "10"), KeyLogRetentionDays, "what CloudWatch Logs accepts"},
		{"rtc not bool", with(devRaw(), KeyReplicationTimeControl, "on"), KeyReplicationTimeControl, "true or false"},
		{"secret missing", with(devRaw(), KeyOriginVerifySecret, "<unset>"), KeyOriginVerifySecret, SecretCommand},
		{"secret short", with(devRaw(), KeyOriginVerifySecret, "short"), KeyOriginVerifySecret, "at least 16"},
		{"zip not a zip", with(devRaw(), KeyConverterZip, "dist/bootstrap"), KeyConverterZip, ".zip"},
		{"unknown key", with(devRaw(), "region", "us-east-1"), "region", "unknown key"},
		{"alarm e-mail not an address", with(devRaw(), KeyAlarmEmail, "ops at example"), KeyAlarmEmail, "an e-mail address"},
		{"additional metrics not bool", with(devRaw(), KeyCDNAdditionalMetrics, "sure"), KeyCDNAdditionalMetrics, "true or false"},
		{"access logs not bool", with(devRaw(), KeyAccessLogs, "s3"), KeyAccessLogs, "true or false"},
		{"error rate zero", with(devRaw(), KeyAlarmErrorRatePercent, "0"), KeyAlarmErrorRatePercent, "from 1 to 100"},
		{"throttles zero", with(devRaw(), KeyAlarmThrottles, "0"), KeyAlarmThrottles, "from 1 to"},
		{"duration past the timeout", with(devRaw(), KeyAlarmDurationPercent, "150"), KeyAlarmDurationPercent, "from 10 to 100"},
		{"cdn 5xx rate not a number", with(devRaw(), KeyAlarmCDN5xxRatePercent, "1.5"), KeyAlarmCDN5xxRatePercent, "whole number"},
		{"already stored over 100", with(devRaw(), KeyAlarmAlreadyStoredPercent, "101"), KeyAlarmAlreadyStoredPercent, "from 1 to 100"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.raw)
			if err == nil {
				t.Fatal("accepted")
			}
			var ce *ConfigError
			found := false
			for _, e := range unjoin(err) {
				if errors.As(e, &ce) && ce.Key == tc.key && strings.Contains(ce.Problem, tc.says) {
					found = true
				}
			}
			if !found {
				t.Errorf("no error for %s saying %q in:\n%v", tc.key, tc.says, err)
			}
			if !strings.Contains(err.Error(), "imgcells:"+tc.key+": ") {
				t.Errorf("message does not name imgcells:%s: %v", tc.key, err)
			}
		})
	}
}

func TestParseReportsEveryProblemAtOnce(t *testing.T) {
	_, err := Parse(Raw{KeyRegions: `["us-east-1","il-central-1"]`, KeyWidths: "[2,1]", KeyPriceClass: "x"})
	keys := map[string]bool{}
	for _, e := range unjoin(err) {
		if ce, ok := errors.AsType[*ConfigError](e); ok {
			keys[ce.Key] = true
		}
	}
	for _, k := range []string{KeyRegions, KeyPrimaryRegion, KeyWidths, KeyPriceClass, KeyOriginVerifySecret} {
		if !keys[k] {
			t.Errorf("no error for %s in %v", k, err)
		}
	}
}

func TestParsePublicSkipsTheSecret(t *testing.T) {
	if _, err := ParsePublic(with(devRaw(), KeyOriginVerifySecret, "<unset>")); err != nil {
		t.Fatalf("ParsePublic needs the secret: %v", err)
	}
	if _, err := ParsePublic(with(devRaw(), KeyOriginVerifySecret, "<unset>", KeyWidths, "[3,2]")); err == nil {
		t.Fatal("ParsePublic accepted unsorted widths")
	}
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// AWS's own bounds are accepted: no web ACL, WAF's lowest and highest limits, and the
// account-level throttle maxima.
func TestLimitBoundsAccepted(t *testing.T) {
	for _, v := range []string{"0", "10", "2000000000"} {
		c, err := Parse(with(devRaw(), KeyRateLimit, v, KeyAPIThrottleRate, "10000", KeyAPIThrottleBurst, "5000"))
		if err != nil {
			t.Errorf("rateLimit %s: %v", v, err)
			continue
		}
		if want, _ := strconv.Atoi(v); c.RateLimit != want || c.APIThrottleRate != MaxAPIThrottleRate || c.APIThrottleBurst != MaxAPIThrottleBurst {
			t.Errorf("rateLimit %s: %+v", v, c)
		}
	}
}

// manyRatios is a list of n distinct ratios 1:1, 2:1, ….
func manyRatios(n int) string {
	var items []string
	for i := 1; i <= n; i++ {
		items = append(items, strconv.Quote(strconv.Itoa(i)+":1"))
	}
	return "[" + strings.Join(items, ",") + "]"
}
