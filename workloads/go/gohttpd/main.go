// gohttpd: the lab's httpd contract written the way Go programs are
// deployed, with net/http and the default runtime (GOMAXPROCS, GC, sysmon
// untouched), so that the "Go fits unikernels" claim is measured on Go as
// it is, not on a tuned subset.
//
//	gohttpd [--port N]
//
// Listens on 0.0.0.0:N (default 8080; 0 picks a free port), prints
// "READY <port>" once listening, serves the same 612-byte page as httpd at
// GET / and HEAD /, 404 elsewhere, 405 for other methods; SIGTERM or SIGINT
// ends it with status 0.
package main

import (
	"context"
	_ "embed"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// index.html is build/workloads/index.html, httpd's page byte for byte,
// copied next to this file by workloads/go.mk: one page, never two copies
// in the repository.
//
//go:embed index.html
var page []byte

const usage = "usage: gohttpd [--port N]\n" +
	"  --port N       TCP port on 0.0.0.0 (default 8080; 0 picks a free one)\n" +
	"Prints \"READY <port>\" once listening; SIGTERM or SIGINT stops it.\n"

// The same limits as httpd where net/http has a knob for them: 8 KiB of
// request line and headers, and 60 s without progress closes a connection.
const (
	maxHeaderBytes = 8 << 10
	stallTimeout   = 60 * time.Second
	// On SIGTERM, requests in flight get this long to finish.
	shutdownGrace = 2 * time.Second
)

func usageError(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "gohttpd: "+format+"\n", args...)
	fmt.Fprint(os.Stderr, usage)
	os.Exit(2)
}

// parseArgs accepts what httpd's cli accepts for --port: "--port N" or
// "--port=N", decimal, 0..65535.
func parseArgs(args []string) int {
	port := 8080
	for i := 0; i < len(args); i++ {
		arg := args[i]
		var value string
		switch {
		case arg == "--port":
			if i+1 >= len(args) {
				usageError("--port needs a value")
			}
			i++
			value = args[i]
		case len(arg) > 7 && arg[:7] == "--port=":
			value = arg[7:]
		case arg == "--help" || arg == "-h":
			fmt.Print(usage)
			os.Exit(0)
		default:
			usageError("unknown option '%s'", arg)
		}
		n, err := strconv.ParseUint(value, 10, 32)
		if err != nil || n > 65535 {
			usageError("--port: '%s' is not a number in 0..65535", value)
		}
		port = int(n)
	}
	return port
}

// serve answers like httpd: the method is checked before the path, and the
// query string does not matter (r.URL.Path excludes it). No ServeMux: it
// would redirect unclean paths instead of answering 404.
func serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["Server"] = []string{"zerowatt-gohttpd"}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h["Allow"] = []string{"GET, HEAD"}
		plain(w, http.StatusMethodNotAllowed, "405 Method Not Allowed\n")
		return
	}
	if r.URL.Path != "/" {
		plain(w, http.StatusNotFound, "404 Not Found\n")
		return
	}
	h["Content-Type"] = []string{"text/html"}
	h["Content-Length"] = []string{strconv.Itoa(len(page))}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(page)
	}
}

func plain(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h["Content-Type"] = []string{"text/plain"}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	w.Write([]byte(body))
}

func main() {
	port := parseArgs(os.Args[1:])
	if len(page) != 612 {
		fmt.Fprintf(os.Stderr, "gohttpd: embedded page has %d bytes, want 612 (stale build?)\n", len(page))
		os.Exit(1)
	}

	// Before listening, so a signal that arrives right after READY is ours.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)

	ln, err := net.Listen("tcp4", net.JoinHostPort("0.0.0.0", strconv.Itoa(port)))
	if err != nil {
		fmt.Fprintf(os.Stderr, "gohttpd: listen on port %d: %v\n", port, err)
		os.Exit(1)
	}
	srv := &http.Server{
		Handler:           http.HandlerFunc(serve),
		MaxHeaderBytes:    maxHeaderBytes,
		ReadHeaderTimeout: stallTimeout,
		IdleTimeout:       stallTimeout,
	}
	// os.Stdout is unbuffered: one write(2), as httpd does it.
	bound := ln.Addr().(*net.TCPAddr).Port
	if _, err := fmt.Fprintf(os.Stdout, "READY %d\n", bound); err != nil {
		fmt.Fprintf(os.Stderr, "gohttpd: write READY: %v\n", err)
		os.Exit(1)
	}

	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		fmt.Fprintf(os.Stderr, "gohttpd: serve: %v\n", err)
		os.Exit(1)
	case <-stop:
	}
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		srv.Close()
	}
}
