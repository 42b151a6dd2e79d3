package edge_test

import (
	"net/http"
	"testing"

	"imgcells/edge"
	"imgcells/edge/cfrun"
)

// ViewerVector is one entry of the "viewer" section of testdata/variants.json.
type ViewerVector struct {
	Method string `json:"method"`
	Target string `json:"target"`
	Accept string `json:"accept"`
	URI    string `json:"uri"`
	Status int    `json:"status"`
}

func TestViewerVectors(t *testing.T) {
	var file struct {
		Viewer struct{ Requests []ViewerVector } `json:"viewer"`
	}
	readVectorFile(t, &file)
	if len(file.Viewer.Requests) == 0 {
		t.Fatal("variants.json has no viewer requests")
	}
	r := runner(t, edge.DefaultConfig(), nil)
	for _, v := range file.Viewer.Requests {
		h := http.Header{}
		if v.Accept != "" {
			h.Set("Accept", v.Accept)
		}
		res, err := r.Run(cfrun.NewEvent(v.Method, v.Target, h))
		switch {
		case err != nil:
			t.Errorf("%s %s: %v", v.Method, v.Target, err)
		case v.Status != 0 && (res.Response == nil || res.Response.StatusCode != v.Status):
			t.Errorf("%s %s: got %+v, want status %d", v.Method, v.Target, res, v.Status)
		case v.Status == 0 && (res.Request == nil || res.Request.URL() != v.URI || res.Request.Method != v.Method):
			t.Errorf("%s %s: got %+v %+v, want %s", v.Method, v.Target, res.Request, res.Response, v.URI)
		}
	}
}
