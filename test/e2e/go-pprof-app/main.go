// A stdlib-only Go service exposing net/http/pprof, used as a real scrape target in tests.
// Usage: go-pprof-app -listen 127.0.0.31:0 -prefix /debug/pprof [-tls-cert F -tls-key F] [-bearer-token-file F]
// Prints "listening on HOST:PORT" once the socket is bound, then serves until killed.
// With -tls-cert and -tls-key it serves HTTPS (http.ServeTLS); with -bearer-token-file every
// request must carry "Authorization: Bearer <token>", else 401, as an authenticated pprof endpoint does.
// -write-timeout sets the http.Server's WriteTimeout (net/http/pprof refuses a ?seconds not below
// it); -before-go116 serves the named profiles as Go before 1.16 did (?seconds ignored, the
// cumulative profile at once); -custom NAME serves a pprof.NewProfile(NAME) with pprof.Handler.
package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	rtpprof "runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"
)

var sink [][]byte

var sink2 []byte

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	prefix := flag.String("prefix", "/debug/pprof", "pprof path prefix")
	tlsCert := flag.String("tls-cert", "", "PEM certificate: serve HTTPS (with -tls-key)")
	tlsKey := flag.String("tls-key", "", "PEM private key of -tls-cert")
	tokenFile := flag.String("bearer-token-file", "", "require this bearer token on every request")
	writeTimeout := flag.Duration("write-timeout", 0, "the server's WriteTimeout")
	beforeGo116 := flag.Bool("before-go116", false, "ignore ?seconds on named profiles, as Go before 1.16")
	custom := flag.String("custom", "", "serve a pprof.NewProfile of this name")
	flag.Parse()

	runtime.SetBlockProfileRate(1)
	runtime.SetMutexProfileFraction(1)
	busy()

	mux := http.NewServeMux()
	mux.HandleFunc(*prefix+"/profile", pprof.Profile)
	for _, name := range []string{"heap", "allocs", "goroutine", "block", "mutex", "threadcreate"} {
		if *beforeGo116 {
			mux.Handle(*prefix+"/"+name, legacyHandler(name))
		} else {
			mux.Handle(*prefix+"/"+name, pprof.Handler(name))
		}
	}
	if *custom != "" {
		rtpprof.NewProfile(*custom).Add(custom, 0)
		mux.Handle(*prefix+"/"+*custom, pprof.Handler(*custom))
	}

	var handler http.Handler = mux
	if *tokenFile != "" {
		token, err := os.ReadFile(*tokenFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		handler = requireBearer(strings.TrimSpace(string(token)), mux)
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	server := &http.Server{Handler: handler, WriteTimeout: *writeTimeout}
	if *tlsCert != "" {
		err = server.ServeTLS(ln, *tlsCert, *tlsKey)
	} else {
		err = server.Serve(ln)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// requireBearer answers 401 to requests without "Authorization: Bearer <token>".
func requireBearer(token string, next http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", "Bearer")
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// legacyHandler is net/http/pprof's handler of a named profile as of Go 1.15: no ?seconds.
func legacyHandler(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		debug, _ := strconv.Atoi(r.FormValue("debug"))
		if debug != 0 {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		} else {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
		}
		rtpprof.Lookup(name).WriteTo(w, debug)
	})
}

// busy keeps the CPU, the heap, a mutex and a channel working so every profile has samples.
func busy() {
	var mu sync.Mutex
	for i := 0; i < 2; i++ {
		go func() {
			buf := make([]byte, 4096)
			for {
				sum := sha256.Sum256(buf)
				buf[0] = sum[0]
			}
		}()
	}
	for i := 0; i < 4; i++ {
		go func() {
			for {
				mu.Lock()
				if len(sink) > 256 {
					sink = sink[:0]
				}
				sink = append(sink, make([]byte, 1024))
				time.Sleep(time.Millisecond)
				mu.Unlock()
			}
		}()
	}
	// Garbage, so that the collector runs many times a second: Go's allocs profile counts only
	// up to the last completed GC, so a 1 s window needs GCs in it to show allocations.
	go func() {
		for {
			sink2 = make([]byte, 64<<10)
			time.Sleep(100 * time.Microsecond)
		}
	}()
	ch := make(chan int)
	go func() {
		for {
			time.Sleep(2 * time.Millisecond)
			ch <- 1
		}
	}()
	go func() {
		for range ch {
		}
	}()
}
