// A stdlib-only Go service exposing net/http/pprof, used as a real scrape target in tests.
// Usage: go-pprof-app -listen 127.0.0.31:0 -prefix /debug/pprof [-tls-cert F -tls-key F] [-bearer-token-file F]
// Prints "listening on HOST:PORT" once the socket is bound, then serves until killed.
// With -tls-cert and -tls-key it serves HTTPS (http.ServeTLS); with -bearer-token-file every
// request must carry "Authorization: Bearer <token>", else 401, as an authenticated pprof endpoint does.
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
	"strings"
	"sync"
	"time"
)

var sink [][]byte

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	prefix := flag.String("prefix", "/debug/pprof", "pprof path prefix")
	tlsCert := flag.String("tls-cert", "", "PEM certificate: serve HTTPS (with -tls-key)")
	tlsKey := flag.String("tls-key", "", "PEM private key of -tls-cert")
	tokenFile := flag.String("bearer-token-file", "", "require this bearer token on every request")
	flag.Parse()

	runtime.SetBlockProfileRate(1)
	runtime.SetMutexProfileFraction(1)
	busy()

	mux := http.NewServeMux()
	mux.HandleFunc(*prefix+"/profile", pprof.Profile)
	for _, name := range []string{"heap", "allocs", "goroutine", "block", "mutex", "threadcreate"} {
		mux.Handle(*prefix+"/"+name, pprof.Handler(name))
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
	if *tlsCert != "" {
		err = http.ServeTLS(ln, handler, *tlsCert, *tlsKey)
	} else {
		err = http.Serve(ln, handler)
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
