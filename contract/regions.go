package contract

// PrimaryFirst orders regions with the primary first and the rest as given:
// the primary region's cell owns the main source bucket, which every other
// cell's replica and the converters' fallback read refer to. The Pulumi
// program and the local stack build their cells in this order.
func PrimaryFirst(primary string, regions []string) []string {
	out := []string{primary}
	for _, r := range regions {
		if r != primary {
			out = append(out, r)
		}
	}
	return out
}
