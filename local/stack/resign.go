package stack

import (
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// resigner is the HTTP client of every S3 client in the local stack. One S3
// server holds the buckets of all simulated regions, but a signature names
// its region and the server checks it: clients sign for their cell's region
// as on AWS, and resigner signs each request again for the server's region
// just before it is sent. Payload hashes are kept as the SDK computed them.
type resigner struct {
	next   *http.Client
	creds  aws.Credentials
	region string
	signer *v4.Signer
}

func newResigner(accessKey, secretKey, region string) *resigner {
	return &resigner{
		next: &http.Client{Transport: &http.Transport{
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     30 * time.Second,
		}},
		creds:  aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey, Source: "imgcells-local"},
		region: region,
		signer: v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }),
	}
}

// Do implements aws.HTTPClient.
func (r *resigner) Do(req *http.Request) (*http.Response, error) {
	hash := req.Header.Get("X-Amz-Content-Sha256")
	if hash == "" {
		hash = "UNSIGNED-PAYLOAD"
		req.Header.Set("X-Amz-Content-Sha256", hash)
	}
	req.Header.Del("Authorization")
	req.Header.Del("X-Amz-Date")
	if err := r.signer.SignHTTP(req.Context(), r.creds, req, hash, "s3", r.region, time.Now()); err != nil {
		return nil, fmt.Errorf("signing S3 request for the local server: %w", err)
	}
	return r.next.Do(req)
}

// AWSConfig is the aws.Config the local stack hands to the converter's store
// and uses itself: static credentials for the S3 server, a region that each
// client overrides per cell, and the re-signing HTTP client.
func (s *S3Server) AWSConfig() aws.Config {
	return aws.Config{
		Region:      s.Region,
		Credentials: credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		HTTPClient:  newResigner(s.AccessKey, s.SecretKey, s.Region),
		// The local server is on loopback: fail fast instead of retrying.
		RetryMaxAttempts: 2,
		// Loopback needs no end-to-end checksums; computing a CRC32 and
		// sending aws-chunked bodies only slows every PUT down.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
}

// ExternalS3 describes an S3-compatible server the stack does not start
// (-s3-endpoint): its URL, the region it checks signatures against and its
// credentials.
func ExternalS3(endpoint, region, accessKey, secretKey string) *S3Server {
	return &S3Server{Endpoint: endpoint, Region: region, AccessKey: accessKey, SecretKey: secretKey}
}
