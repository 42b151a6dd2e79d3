package converter

/*
static const char *imgcells_c_simd(void) {
#if defined(__SSE4_1__)
	return "sse4.1";
#elif defined(__SSE2__)
	return "sse2";
#elif defined(__ARM_NEON) || defined(__aarch64__)
	return "neon";
#else
	return "none";
#endif
}
*/
import "C"

// CSIMD names the widest vector instruction set the converter's C code
// (libwebp's among it) was compiled for: "sse4.1" for the amd64 Lambda
// (lambdazip.CFlags), "sse2" for a default amd64 build, "neon" on arm64.
// libwebp runs its SSE4.1 encoder paths only when compiled for them.
func CSIMD() string { return C.GoString(C.imgcells_c_simd()) }
