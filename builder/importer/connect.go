package importer

import (
	"context"
	"errors"
)

// sessionConnector builds the clients from the shared azure.Session (pending: internal/azure's Session).
func sessionConnector(ctx context.Context, c *Config) (*clients, error) {
	return nil, errors.New("azure.Session is not available yet")
}
