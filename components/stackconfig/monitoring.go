package stackconfig

import "regexp"

// Keys of the monitoring configuration: the alarms' notification address and
// thresholds, CloudFront's optional additional metrics and access logs.
const (
	KeyAlarmEmail                = "alarmEmail"
	KeyCDNAdditionalMetrics      = "cdnAdditionalMetrics"
	KeyAccessLogs                = "accessLogs"
	KeyAlarmErrorRatePercent     = "alarmErrorRatePercent"
	KeyAlarmThrottles            = "alarmThrottles"
	KeyAlarmDurationPercent      = "alarmDurationPercent"
	KeyAlarmCDN5xxRatePercent    = "alarmCdn5xxRatePercent"
	KeyAlarmAlreadyStoredPercent = "alarmAlreadyStoredPercent"
)

// Monitoring is how a stack watches itself: the dashboard and alarms always
// exist; these choose who hears of an alarm, when one fires, and two options
// that cost extra.
type Monitoring struct {
	// AlarmEmail, when set, is subscribed to every alarm topic (one per
	// region that holds alarms); each subscription must be confirmed.
	AlarmEmail string
	// CDNAdditionalMetrics turns on CloudFront's additional metrics (cache hit
	// rate among them), billed as custom metrics per distribution.
	CDNAdditionalMetrics bool
	// AccessLogs delivers CloudFront's standard logs (v2) to CloudWatch Logs.
	AccessLogs bool
	Thresholds Thresholds
}

// Thresholds are when the alarms fire.
type Thresholds struct {
	ErrorRatePercent     int // converter 5xx answers, % of its API's requests
	Throttles            int // throttled converter invocations in 5 minutes
	DurationPercent      int // converter p95 duration, % of its timeout
	CDN5xxRatePercent    int // CloudFront 5xx answers, % of its requests
	AlreadyStoredPercent int // conversions whose variant was stored already, %
}

var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s.]+$`)

func (p *parser) monitoring() Monitoring {
	m := Monitoring{
		AlarmEmail:           p.str(KeyAlarmEmail, ""),
		CDNAdditionalMetrics: p.boolean(KeyCDNAdditionalMetrics, false),
		AccessLogs:           p.boolean(KeyAccessLogs, false),
		Thresholds: Thresholds{
			ErrorRatePercent:     p.integer(KeyAlarmErrorRatePercent, 5, 1, 100),
			Throttles:            p.integer(KeyAlarmThrottles, 1, 1, 1_000_000),
			DurationPercent:      p.integer(KeyAlarmDurationPercent, 80, 10, 100),
			CDN5xxRatePercent:    p.integer(KeyAlarmCDN5xxRatePercent, 1, 1, 100),
			AlreadyStoredPercent: p.integer(KeyAlarmAlreadyStoredPercent, 50, 1, 100),
		},
	}
	if m.AlarmEmail != "" && (len(m.AlarmEmail) > 254 || !emailRE.MatchString(m.AlarmEmail)) {
		p.failf(KeyAlarmEmail, "%q is not allowed: an e-mail address such as ops@example.com, or unset for no e-mail", m.AlarmEmail)
		m.AlarmEmail = ""
	}
	return m
}
