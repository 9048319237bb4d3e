// Command renderer renders a Helm 3 chart the way `helm template` does, for the chart tests:
// Go text/template with sprig and Helm's own functions (include, tpl, toYaml, fromYaml, toJson,
// fromJson, required; no lookup), values coalesced the way Helm coalesces them. Schema
// validation is done by the caller on the merged values this program prints.
//
// Usage: renderer -chart DIR [-values FILE]... [-name N] [-namespace NS] [-service S]
// Prints JSON: {"values": {...}, "manifests": [{"name": ..., "content": ...}], "notes": "...",
// "error": "..."}. Exit status 0 even when rendering fails (the error is in "error"), so the
// caller can still check the values against the schema first, as Helm does.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v2"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// Metadata is the part of Chart.yaml templates read as .Chart (Helm's chart.Metadata field names).
type Metadata struct {
	APIVersion  string   `yaml:"apiVersion"`
	Name        string   `yaml:"name"`
	Version     string   `yaml:"version"`
	AppVersion  string   `yaml:"appVersion"`
	Description string   `yaml:"description"`
	Type        string   `yaml:"type"`
	KubeVersion string   `yaml:"kubeVersion"`
	Home        string   `yaml:"home"`
	Sources     []string `yaml:"sources"`
	Keywords    []string `yaml:"keywords"`
	Icon        string   `yaml:"icon"`
}

type manifest struct {
	Name    string `json:"name"`
	Content string `json:"content"`
}

type result struct {
	Values    map[string]interface{} `json:"values"`
	Manifests []manifest             `json:"manifests"`
	Notes     string                 `json:"notes"`
	Error     string                 `json:"error,omitempty"`
}

func main() {
	var valueFiles stringList
	chartDir := flag.String("chart", "", "chart directory")
	name := flag.String("name", "release-name", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	service := flag.String("service", "Helm", "release service")
	kubeVersion := flag.String("kube-version", "v1.30.0", "Kubernetes version for .Capabilities")
	flag.Var(&valueFiles, "values", "values file (repeatable, later files win)")
	flag.Parse()
	if err := run(*chartDir, valueFiles, *name, *namespace, *service, *kubeVersion); err != nil {
		fmt.Fprintln(os.Stderr, "renderer:", err)
		os.Exit(2)
	}
}

func run(chartDir string, valueFiles []string, name, namespace, service, kubeVersion string) error {
	if chartDir == "" {
		return fmt.Errorf("-chart is required")
	}
	var meta Metadata
	raw, err := os.ReadFile(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return err
	}
	if err := yaml.UnmarshalStrict(raw, &meta); err != nil {
		return fmt.Errorf("Chart.yaml: %w", err)
	}
	defaults, err := readValues(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		return err
	}
	user := map[string]interface{}{}
	for _, file := range valueFiles {
		vals, err := readValues(file)
		if err != nil {
			return err
		}
		user = mergeMaps(user, vals)
	}
	values := coalesce(user, defaults)

	out := result{Values: values, Manifests: []manifest{}}
	top := map[string]interface{}{
		"Values": values,
		"Chart":  meta,
		"Release": map[string]interface{}{
			"Name": name, "Namespace": namespace, "Service": service,
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Capabilities": newCapabilities(kubeVersion),
	}
	rendered := map[string]string{}
	if err := checkKubeVersion(meta.KubeVersion, kubeVersion); err != nil {
		out.Error = err.Error()
	} else if rendered, err = render(meta.Name, filepath.Join(chartDir, "templates"), top); err != nil {
		out.Error = err.Error()
	}
	names := make([]string, 0, len(rendered))
	for n := range rendered {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if path.Base(n) == "NOTES.txt" {
			out.Notes = rendered[n]
		} else if strings.TrimSpace(rendered[n]) != "" {
			out.Manifests = append(out.Manifests, manifest{Name: n, Content: rendered[n]})
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// readValues reads YAML the way Helm does (sigs.k8s.io/yaml): through JSON, so numbers are float64.
func readValues(file string) (map[string]interface{}, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc interface{}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	vals := map[string]interface{}{}
	if doc == nil {
		return vals, nil
	}
	if err := viaJSON(doc, &vals); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return vals, nil
}

// viaJSON converts YAML-decoded data (map[interface{}]interface{}) to JSON-shaped data.
func viaJSON(in interface{}, out interface{}) error {
	data, err := json.Marshal(jsonable(in))
	if err != nil {
		return err
	}
	return json.Unmarshal(data, out)
}

func jsonable(v interface{}) interface{} {
	switch t := v.(type) {
	case map[interface{}]interface{}:
		m := make(map[string]interface{}, len(t))
		for k, val := range t {
			m[fmt.Sprint(k)] = jsonable(val)
		}
		return m
	case []interface{}:
		for i := range t {
			t[i] = jsonable(t[i])
		}
		return t
	}
	return v
}

// mergeMaps merges b into a: maps deeply, anything else replaced (Helm's -f file merging).
func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bm, ok := v.(map[string]interface{}); ok {
			if am, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeMaps(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// coalesce fills user values with chart defaults; a user null deletes the key (Helm's CoalesceValues).
func coalesce(user, defaults map[string]interface{}) map[string]interface{} {
	for k, dv := range defaults {
		uv, present := user[k]
		switch {
		case !present:
			user[k] = dv
		case uv == nil:
			delete(user, k)
		default:
			um, uok := uv.(map[string]interface{})
			dm, dok := dv.(map[string]interface{})
			if uok && dok {
				user[k] = coalesce(um, dm)
			}
		}
	}
	for k, v := range user {
		if v == nil {
			delete(user, k)
		}
	}
	return user
}

// checkKubeVersion refuses a cluster version outside the chart's kubeVersion, as Helm does.
// It uses sprig's semverCompare (Masterminds/semver, Helm's own constraint checker).
func checkKubeVersion(constraint, version string) error {
	if constraint == "" {
		return nil
	}
	compare := sprig.TxtFuncMap()["semverCompare"].(func(string, string) (bool, error))
	ok, err := compare(constraint, version)
	if err != nil {
		return fmt.Errorf("kubeVersion %q, Kubernetes %q: %w", constraint, version, err)
	}
	if !ok {
		return fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", constraint, version)
	}
	return nil
}
