// Package docscheck holds tests that keep the user documentation in docs/ in step with the code: a
// page that lists errors or settings fails the build when the code grows one the page does not know.
package docscheck
