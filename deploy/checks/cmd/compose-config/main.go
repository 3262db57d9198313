// compose-config is `docker compose config` without Docker: it loads compose
// files with compose-go (the library the compose CLI is built on), so they get
// the same schema validation, interpolation from the environment and env
// files, normalization and consistency checks, then prints the resolved model.
// On any error it prints compose's message and exits 1.
//
//	compose-config [-f docker-compose.yml]... [--env-file .env]... [--profile name]... [--format yaml|json] [--project-directory dir]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

// repeated collects a flag given several times, like the compose CLI's -f and --profile.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func main() {
	var files, envFiles, profiles repeated
	flag.Var(&files, "f", "compose file (repeatable; default: compose.yaml / docker-compose.yml in the project directory)")
	flag.Var(&envFiles, "env-file", "env file for interpolation (repeatable; default: .env in the project directory, if any)")
	flag.Var(&profiles, "profile", "profile to enable (repeatable; default: $COMPOSE_PROFILES)")
	format := flag.String("format", "yaml", "output format: yaml or json")
	projectDir := flag.String("project-directory", "", "project directory (default: the first compose file's directory)")
	projectName := flag.String("project-name", "", "project name (default: the compose file's name: or the directory's name)")
	flag.Parse()
	if flag.NArg() > 0 {
		fail(fmt.Errorf("unexpected arguments: %s", strings.Join(flag.Args(), " ")))
	}
	if *format != "yaml" && *format != "json" {
		fail(fmt.Errorf("--format must be yaml or json, not %q", *format))
	}

	// The same option chain as the compose CLI's ToProjectOptions.
	options, err := cli.NewProjectOptions(files,
		cli.WithWorkingDirectory(*projectDir),
		cli.WithOsEnv,
		cli.WithConfigFileEnv,
		cli.WithDefaultConfigPath,
		cli.WithEnvFiles(envFiles...),
		cli.WithDotEnv,
		cli.WithDefaultProfiles(profiles...),
		cli.WithName(*projectName),
	)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}

	var out []byte
	if *format == "json" {
		out, err = project.MarshalJSON()
	} else {
		out, err = project.MarshalYAML()
	}
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(out)
}

func fail(err error) {
	message := err.Error()
	// compose-go reports a key the schema forbids (additionalProperties: false)
	// as "<path> false schema"; say what that means.
	if strings.HasSuffix(message, " false schema") {
		message += " (the compose specification has no such key)"
	}
	fmt.Fprintf(os.Stderr, "compose-config: %s\n", message)
	os.Exit(1)
}
