// Package emulator is an offline Azure: the ARM and Entra ID endpoints that publishing to an Azure
// Compute Gallery uses, served over HTTPS from a CA it generates, with fault injection and a request log
// for tests. It composes emulator/identity (metadata, tokens, bearer check) and emulator/arm (the
// resource providers) behind one listener.
//
// It imports nothing from the plugin. Start it in-process with New and Start (or emulatortest.Start in
// tests), or as the azure-gallery-emulator binary.
package emulator

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/arm"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/identity"
)

// Server is one emulator instance: identity + ARM + faults + request log + /_emulator/*.
type Server struct {
	opts   Options
	id     *identity.Service
	arm    *arm.Service
	faults *faultSet
	// throttle is Compute's throttling model (throttle.go).
	throttle *throttler
	reqLog   *requestLog
	logger   *log.Logger
	handler  http.Handler

	mu     sync.Mutex
	srv    *http.Server
	done   chan struct{}
	ready  Ready
	closed bool
}

// New builds a server from opts, loading or creating the CA, keys, generated credentials and ARM state
// in opts.DataDir. It does not listen; call Start, or mount Handler yourself.
func New(opts Options) (*Server, error) {
	if opts.DataDir == "" {
		return nil, errors.New("emulator: DataDir is required (the directory for the CA, keys and state)")
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	gen, err := loadOrCreateGenerated(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	opts = applyDefaults(opts, gen)
	idCfg, err := identityConfig(opts)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	id, err := identity.New(idCfg)
	if err != nil {
		return nil, err
	}
	armSvc, err := arm.New(armOptions(opts))
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	out := opts.Log
	if out == nil {
		out = io.Discard
	}
	s := &Server{
		opts:     opts,
		id:       id,
		arm:      armSvc,
		faults:   &faultSet{},
		throttle: newThrottler(opts.Throttling, opts.Clock),
		reqLog:   newRequestLog(opts.RequestLogSize, opts.Log),
		logger:   log.New(out, "azure-gallery-emulator: ", log.LstdFlags),
	}
	s.handler = s.routes()
	return s, nil
}

func armOptions(o Options) arm.Options {
	ao := arm.Options{
		DataDir:        filepath.Join(o.DataDir, "arm"),
		Regions:        o.Regions,
		OperationDelay: o.OperationDelay.D(),
		Quotas: arm.Quotas{
			GalleriesPerRegion:   o.Quotas.GalleriesPerRegion,
			DefinitionsPerRegion: o.Quotas.DefinitionsPerRegion,
			VersionsPerRegion:    o.Quotas.VersionsPerRegion,
		},
		Replication: arm.ReplicationModel{
			SecondsPerGiB:   o.Replication.SecondsPerGiB,
			RegionBaseDelay: o.Replication.RegionBaseDelay.D(),
		},
		BlobEndpoint:        o.BlobEndpoint,
		PageSize:            o.PageSize,
		Clock:               o.Clock,
		DeleteLag:           o.DeleteLag.D(),
		InFlightPutConflict: o.InFlightPutConflict,
	}
	ao.Replication.Profile = o.Replication.Profile
	for region, p := range o.Replication.RegionProfiles {
		if ao.Replication.RegionProfile == nil {
			ao.Replication.RegionProfile = map[string]string{}
		}
		ao.Replication.RegionProfile[region] = p
	}
	if len(o.Replication.RegionDelays) > 0 {
		ao.Replication.RegionDelay = map[string]time.Duration{}
		for region, d := range o.Replication.RegionDelays {
			ao.Replication.RegionDelay[region] = d.D()
		}
	}
	for _, s := range o.Subscriptions {
		ao.Subscriptions = append(ao.Subscriptions, arm.Subscription{ID: s.ID, TenantID: s.TenantID, DisplayName: s.DisplayName})
	}
	return ao
}

// routes composes the handler: /_emulator/* on its own; everything else through
// request log → fault injection → (identity endpoints | bearer auth → ARM).
func (s *Server) routes() http.Handler {
	azure := http.NewServeMux()
	s.id.Register(azure)
	azure.Handle("/", s.id.RequireBearer(s.throttle.middleware(s.arm)))
	logged := s.reqLog.middleware(s.opts.Clock, s.faults.middleware(azure))

	top := http.NewServeMux()
	top.Handle("/_emulator/", s.adminHandler())
	top.Handle("/", logged)
	return top
}

// Handler serves every route, for mounting on your own listener (for example httptest.NewUnstartedServer
// with TLSConfig).
func (s *Server) Handler() http.Handler { return s.handler }

// ARM is the resource-provider service, for tests that inspect or steer it.
func (s *Server) ARM() *arm.Service { return s.arm }

// Identity is the identity service (token lifetime, direct token issue for tests).
func (s *Server) Identity() *identity.Service { return s.id }

// Options are the effective options, defaults applied.
func (s *Server) Options() Options { return s.opts }

// TLSConfig serves the generated server certificate (for 127.0.0.1, ::1 and localhost), HTTP/1.1 only.
func (s *Server) TLSConfig() *tls.Config {
	cert := s.id.ServerCertificate()
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
}

// Start listens on addr (for example "127.0.0.1:0") and serves HTTPS in the background. It returns the
// ready information clients need. HTTP/2 is off so that reset faults can hijack connections.
func (s *Server) Start(addr string) (Ready, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil || s.closed {
		return Ready{}, errors.New("emulator: already started or closed; build a new Server with New to restart")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return Ready{}, fmt.Errorf("emulator: listen %s: %w", addr, err)
	}
	tcp, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		_ = ln.Close()
		return Ready{}, fmt.Errorf("emulator: listen %s: not a TCP address (%T)", addr, ln.Addr())
	}
	srv := &http.Server{
		Handler:           s.handler,
		TLSConfig:         s.TLSConfig(),
		TLSNextProto:      map[string]func(*http.Server, *tls.Conn, http.Handler){},
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          s.logger,
	}
	s.srv, s.done = srv, make(chan struct{})
	go func(done chan struct{}) {
		defer close(done)
		if err := srv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Printf("serve: %v", err)
		}
	}(s.done)
	s.ready = s.readyFor(tcp)
	s.logger.Printf("serving %s (data dir %s)", s.ready.Endpoint, s.opts.DataDir)
	return s.ready, nil
}

func (s *Server) readyFor(a *net.TCPAddr) Ready {
	host := a.IP.String()
	if a.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	hostPort := net.JoinHostPort(host, strconv.Itoa(a.Port))
	first := s.opts.Clients[0]
	return Ready{
		Endpoint:       "https://" + hostPort,
		MetadataHost:   hostPort,
		CAFile:         s.id.CAFile(),
		TenantID:       s.opts.Tenants[0],
		SubscriptionID: s.opts.Subscriptions[0].ID,
		ClientID:       first.ClientID,
		ClientSecret:   first.ClientSecret,
	}
}

// Ready is what Start returned (zero before Start).
func (s *Server) Ready() Ready {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ready
}

// Close stops serving (in-flight requests get a few seconds to finish) and closes the ARM service. State
// and in-flight operations stay persisted; a new Server on the same DataDir continues them.
func (s *Server) Close() error {
	s.mu.Lock()
	srv, done, closed := s.srv, s.done, s.closed
	s.srv, s.closed = nil, true
	s.mu.Unlock()
	if closed {
		return nil // Close is idempotent: tests close explicitly to restart, and again at cleanup
	}
	var errs []error
	if srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		if err := srv.Shutdown(ctx); err != nil {
			_ = srv.Close()
		}
		cancel()
		<-done
	}
	if err := s.arm.Close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
