package jpegturbo

import "embed"

// Patches are the changes the linked libjpeg.a was built with
// (scripts/libjpeg-turbo.sh applies them to Debian's source package). Go
// does not hash an archive that cgo links by path, so this package embeds
// them: a changed patch changes the package, and every binary that links
// the library is linked again with the archive built from it.
//
//go:embed patches/*.patch
var Patches embed.FS
