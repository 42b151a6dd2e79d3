package stack

import "sync"

// flights collapses simultaneous cache misses for one key into a single
// origin request, as CloudFront's request collapsing does: the first request
// goes to the origin and the others wait for its response.
type flights struct {
	mu    sync.Mutex
	calls map[string]*flight
}

type flight struct {
	wg  sync.WaitGroup
	res originResult
}

func (f *flights) do(key string, fetch func() originResult) originResult {
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[string]*flight{}
	}
	if c, ok := f.calls[key]; ok {
		f.mu.Unlock()
		c.wg.Wait()
		return c.res
	}
	c := &flight{}
	c.wg.Add(1)
	f.calls[key] = c
	f.mu.Unlock()

	defer func() {
		f.mu.Lock()
		delete(f.calls, key)
		f.mu.Unlock()
		c.wg.Done()
	}()
	c.res = fetch()
	return c.res
}
