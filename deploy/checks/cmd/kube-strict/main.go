// Command kube-strict validates Kubernetes manifests offline: every document of
// the multi-document YAML it reads (files named as arguments, or stdin) is
// decoded strictly with the Kubernetes Go types, so an unknown kind, an unknown
// or duplicate field or a value of the wrong type fails, as an API server would
// refuse it. Each problem is printed as `<source> <kind>/<name>: <error>`; the
// source is the file, or the `# Source:` comment helm template writes.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	kyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// The API groups our charts use; a kind outside them is an error.
var addToScheme = []func(*runtime.Scheme) error{
	corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme, policyv1.AddToScheme,
	autoscalingv2.AddToScheme, networkingv1.AddToScheme, rbacv1.AddToScheme, monitoringv1.AddToScheme,
}

func main() {
	scheme := runtime.NewScheme()
	for _, add := range addToScheme {
		utilruntime.Must(add(scheme))
	}
	decoder := json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme, json.SerializerOptions{Yaml: true, Strict: true})

	sources := os.Args[1:]
	if len(sources) == 0 {
		sources = []string{"-"}
	}
	documents, problems := 0, 0
	for _, source := range sources {
		n, bad, err := check(decoder, source)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", source, err)
			os.Exit(2)
		}
		documents += n
		problems += bad
	}
	if problems > 0 {
		fmt.Fprintf(os.Stderr, "kube-strict: %d of %d documents invalid\n", problems, documents)
		os.Exit(1)
	}
	fmt.Printf("kube-strict: %d documents valid\n", documents)
}

// check decodes every document of one source, printing each invalid one; it returns how many it read and how many failed.
func check(decoder runtime.Decoder, source string) (int, int, error) {
	input := io.Reader(os.Stdin)
	name := "stdin"
	if source != "-" {
		file, err := os.Open(source)
		if err != nil {
			return 0, 0, err
		}
		defer file.Close()
		input, name = file, source
	}
	reader := kyaml.NewYAMLReader(bufio.NewReader(input))
	documents, problems := 0, 0
	for {
		document, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return documents, problems, nil
		}
		if err != nil {
			return documents, problems, err
		}
		if isEmpty(document) {
			continue
		}
		documents++
		if err := decode(decoder, document); err != nil {
			problems++
			// One line per problem: YAML errors span several.
			fmt.Printf("%s %s: %s\n", sourceOf(document, name), identity(document), strings.Join(strings.Fields(err.Error()), " "))
		}
	}
}

func decode(decoder runtime.Decoder, document []byte) error {
	_, _, err := decoder.Decode(document, nil, nil)
	return err
}

// identity names a document as `<kind>/<name>`, as far as it can be read.
func identity(document []byte) string {
	var head struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	_ = yaml.Unmarshal(document, &head)
	return fmt.Sprintf("%s/%s", orUnknown(head.Kind), orUnknown(head.Metadata.Name))
}

// sourceOf is the template helm rendered the document from, else the file it was read from.
func sourceOf(document []byte, fallback string) string {
	for _, line := range strings.Split(string(document), "\n") {
		if rest, ok := strings.CutPrefix(line, "# Source: "); ok {
			return strings.TrimSpace(rest)
		}
	}
	return fallback
}

func isEmpty(document []byte) bool {
	for _, line := range bytes.Split(document, []byte("\n")) {
		trimmed := bytes.TrimSpace(line)
		if len(trimmed) > 0 && trimmed[0] != '#' && string(trimmed) != "---" {
			return false
		}
	}
	return true
}

func orUnknown(s string) string {
	if s == "" {
		return "?"
	}
	return s
}
