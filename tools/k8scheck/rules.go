package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	componentsapi "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	resiliencyapi "github.com/dapr/dapr/pkg/apis/resiliency/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// finding is one broken rule in one overlay.
type finding struct {
	Rule, Object, Msg string
}

func (f finding) String() string { return f.Rule + ": " + f.Object + ": " + f.Msg }

// pod is one pod template of a workload, with what the rules need around it.
type pod struct {
	owner    object
	tmpl     *corev1.PodTemplateSpec
	selector *metav1.LabelSelector // nil for Jobs and CronJobs
	replicas int32
}

func (p pod) appID() string  { return p.tmpl.Annotations["dapr.io/app-id"] }
func (p pod) isDapr() bool   { return p.tmpl.Annotations["dapr.io/enabled"] == "true" }
func (p pod) String() string { return p.owner.String() }

// checker runs every rule over one rendered overlay.
type checker struct {
	overlay string
	objs    []object
	repo    *repo
	iv      installValues
	release bool // also refuse placeholders (prod before an apply)
	pods    []pod
	out     []finding
	budget  string // the connection budget, for the report
}

func (c *checker) add(rule string, o fmt.Stringer, format string, args ...any) {
	c.out = append(c.out, finding{rule, o.String(), fmt.Sprintf(format, args...)})
}

// check runs every rule; budget describes the Postgres connection budget.
func check(overlay string, objs []object, r *repo, iv installValues, release bool) (findings []finding, budget string) {
	c := &checker{overlay: overlay, objs: objs, repo: r, iv: iv, release: release}
	for _, o := range objs {
		switch w := o.Obj.(type) {
		case *appsv1.Deployment:
			c.pods = append(c.pods, pod{o, &w.Spec.Template, w.Spec.Selector, ptrOr(w.Spec.Replicas, 1)})
		case *appsv1.StatefulSet:
			c.pods = append(c.pods, pod{o, &w.Spec.Template, w.Spec.Selector, ptrOr(w.Spec.Replicas, 1)})
		case *batchv1.Job:
			c.pods = append(c.pods, pod{o, &w.Spec.Template, nil, 1})
		case *batchv1.CronJob:
			c.pods = append(c.pods, pod{o, &w.Spec.JobTemplate.Spec.Template, nil, 1})
		}
	}
	for _, rule := range []func(){
		c.noSecrets, c.namespaces, c.podSecurity, c.annotations, c.selectors, c.ports,
		c.unusedServices, c.env, c.secretRefs, c.scopes, c.localComponents, c.breakers, c.networkPolicies,
		c.disruption, c.serviceAccounts, c.secretAccess, c.images, c.placeholders,
		c.memory, c.connections, c.jobs, c.metrics, c.storage, c.literals, c.backup, c.appToken,
	} {
		rule()
	}
	return c.out, c.budget
}

func ptrOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func objectsOf[T any](c *checker) []T {
	var out []T
	for _, o := range c.objs {
		if t, ok := o.Obj.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

// noSecrets: secret values are never committed; the operator creates Secrets.
func (c *checker) noSecrets() {
	for _, o := range c.objs {
		if o.Kind == "Secret" {
			c.add("no-secrets", o, "a Secret is in the manifests; create it with kubectl (docs/kubernetes.md)")
		}
	}
}

// namespaces: every namespace enforces the restricted Pod Security Standard, so a
// pod that would not pass it is refused rather than run.
func (c *checker) namespaces() {
	nss := objectsOf[*corev1.Namespace](c)
	if len(nss) == 0 {
		c.add("namespace", stringer(c.overlay), "no Namespace in the output")
	}
	for _, ns := range nss {
		if ns.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
			c.add("namespace", stringer("Namespace/"+ns.Name), "label pod-security.kubernetes.io/enforce must be \"restricted\"")
		}
	}
}

// podSecurity: each pod, after Dapr's injector added daprd, passes "restricted".
func (c *checker) podSecurity() {
	for _, p := range c.pods {
		pd := &corev1.Pod{ObjectMeta: *p.tmpl.ObjectMeta.DeepCopy(), Spec: *p.tmpl.Spec.DeepCopy()}
		pd.Namespace = p.owner.Namespace
		pd.Name = p.owner.Name
		injected, err := inject(pd, c.iv)
		if err != nil {
			c.add("pod-security", p, "%v", err)
			continue
		}
		reasons, err := restricted(injected)
		if err != nil {
			c.add("pod-security", p, "%v", err)
		}
		for _, r := range reasons {
			c.add("pod-security", p, "refused by Pod Security \"restricted\" after sidecar injection: %s", r)
		}
	}
}

// annotations: only what the 1.18 injector reads, and not its legacy spellings.
func (c *checker) annotations() {
	known := daprAnnotations()
	for _, p := range c.pods {
		for k := range p.tmpl.Annotations {
			if !isDaprAnnotation(k) {
				continue
			}
			if repl, ok := legacyAnnotations[k]; ok {
				c.add("annotation", p, "%s is a legacy annotation in Dapr 1.18; use %s", k, repl)
			} else if !known[k] {
				c.add("annotation", p, "%s is not an annotation Dapr 1.18's injector reads", k)
			}
		}
	}
}

// matching returns the pods whose template labels sel selects.
func (c *checker) matching(sel labels.Selector) []pod {
	var out []pod
	for _, p := range c.pods {
		if sel.Matches(labels.Set(p.tmpl.Labels)) {
			out = append(out, p)
		}
	}
	return out
}

func (c *checker) selectors() {
	for _, p := range c.pods {
		if p.selector == nil {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(p.selector)
		if err != nil || !sel.Matches(labels.Set(p.tmpl.Labels)) {
			c.add("selector", p, "spec.selector does not select the pod template's labels")
		}
	}
	for _, s := range objectsOf[*corev1.Service](c) {
		if len(c.matching(labels.SelectorFromSet(s.Spec.Selector))) == 0 || len(s.Spec.Selector) == 0 {
			c.add("selector", stringer("Service/"+s.Name), "selector %v selects no pod", s.Spec.Selector)
		}
	}
	for _, pdb := range objectsOf[*policyv1.PodDisruptionBudget](c) {
		sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err != nil || len(c.matching(sel)) == 0 {
			c.add("selector", stringer("PodDisruptionBudget/"+pdb.Name), "selector selects no pod")
		}
	}
	for _, np := range objectsOf[*networkingv1.NetworkPolicy](c) {
		sels := []metav1.LabelSelector{np.Spec.PodSelector}
		for _, in := range np.Spec.Ingress {
			for _, peer := range in.From {
				if peer.PodSelector != nil && peer.NamespaceSelector == nil {
					sels = append(sels, *peer.PodSelector)
				}
			}
		}
		for _, eg := range np.Spec.Egress {
			for _, peer := range eg.To {
				if peer.PodSelector != nil && peer.NamespaceSelector == nil {
					sels = append(sels, *peer.PodSelector)
				}
			}
		}
		for _, ls := range sels {
			sel, err := metav1.LabelSelectorAsSelector(&ls)
			if err != nil || (!sel.Empty() && len(c.matching(sel)) == 0) {
				c.add("selector", stringer("NetworkPolicy/"+np.Name), "pod selector %s selects no pod", metav1.FormatLabelSelector(&ls))
			}
		}
	}
}

// ports: Service target ports and probe ports name ports the containers have.
func (c *checker) ports() {
	has := func(ps []pod, port string) bool {
		for _, p := range ps {
			for _, ct := range p.tmpl.Spec.Containers {
				for _, cp := range ct.Ports {
					if cp.Name == port || strconv.Itoa(int(cp.ContainerPort)) == port {
						return true
					}
				}
			}
		}
		return false
	}
	for _, s := range objectsOf[*corev1.Service](c) {
		ps := c.matching(labels.SelectorFromSet(s.Spec.Selector))
		for _, sp := range s.Spec.Ports {
			if len(ps) > 0 && !has(ps, sp.TargetPort.String()) {
				c.add("port", stringer("Service/"+s.Name), "targetPort %s is not a port of the selected pods", sp.TargetPort.String())
			}
		}
	}
	for _, p := range c.pods {
		for _, ct := range p.tmpl.Spec.Containers {
			for _, pr := range []*corev1.Probe{ct.StartupProbe, ct.LivenessProbe, ct.ReadinessProbe} {
				if pr != nil && pr.HTTPGet != nil && !has([]pod{p}, pr.HTTPGet.Port.String()) {
					c.add("port", p, "container %s: probe port %s is not one of its ports", ct.Name, pr.HTTPGet.Port.String())
				}
			}
		}
	}
}

// unusedServices: a Service exists only if something reaches pods through it
// (the Ingress, a StatefulSet's DNS, a component's host, a documented URL).
// Dapr reaches apps through its own <app-id>-dapr Services.
func (c *checker) unusedServices() {
	used := map[string]bool{}
	for _, ing := range objectsOf[*networkingv1.Ingress](c) {
		for _, r := range ing.Spec.Rules {
			if r.HTTP == nil {
				continue
			}
			for _, p := range r.HTTP.Paths {
				if p.Backend.Service != nil {
					used[p.Backend.Service.Name] = true
				}
			}
		}
	}
	for _, ss := range objectsOf[*appsv1.StatefulSet](c) {
		used[ss.Spec.ServiceName] = true
	}
	for _, comp := range objectsOf[*componentsapi.Component](c) {
		for _, md := range comp.Spec.Metadata {
			used[md.Value.String()] = true
		}
	}
	for _, p := range c.pods {
		for _, ct := range p.tmpl.Spec.Containers {
			for _, e := range ct.Env {
				used[e.Value] = true
			}
		}
	}
	for _, s := range objectsOf[*corev1.Service](c) {
		if !used[s.Name] && !c.repo.documentedHost(s.Name) {
			c.add("unused-service", stringer("Service/"+s.Name), "nothing uses this Service (Dapr invokes apps through <app-id>-dapr); drop it")
		}
	}
}

// appOf returns the facts of the app whose Deployment p is (named after apps/<dir>).
func (c *checker) appOf(p pod) *appFacts {
	if p.owner.Kind != "Deployment" || !p.isDapr() {
		return nil
	}
	return c.repo.apps[p.owner.Name]
}

// env: app containers set only what the app reads, everything it requires, and
// every setting whose default only works on a developer's machine.
func (c *checker) env() {
	runtimeEnv := map[string]bool{"GOMEMLIMIT": true, "GOMAXPROCS": true, "GODEBUG": true}
	for _, p := range c.pods {
		if !p.isDapr() {
			continue
		}
		app := c.appOf(p)
		if app == nil {
			c.add("env", p, "Dapr app %q has no directory apps/%s to check its environment against", p.appID(), p.owner.Name)
			continue
		}
		ct := appContainer(p)
		if ct == nil {
			c.add("env", p, "no container named \"app\"")
			continue
		}
		set := map[string]bool{}
		for _, e := range ct.Env {
			set[e.Name] = true
			if _, ok := app.env[e.Name]; !ok && !runtimeEnv[e.Name] {
				c.add("env", p, "sets %s, which apps/%s does not read", e.Name, p.owner.Name)
			}
		}
		names := make([]string, 0, len(app.env))
		for n := range app.env {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			v := app.env[n]
			local := strings.Contains(v.def, "127.0.0.1") || strings.Contains(v.def, "localhost")
			switch {
			case set[n]:
			case v.required:
				c.add("env", p, "%s is required by apps/%s and not set", n, p.owner.Name)
			case local && n != "DAPR_HOST": // the sidecar is on the pod's loopback
				c.add("env", p, "%s is not set and defaults to %q, which only works on a developer's machine", n, v.def)
			}
		}
		// What a local run gives the app, a pod gives it too (values differ:
		// addresses, secrets).
		runEnv := c.repo.runEnv[p.appID()]
		runNames := make([]string, 0, len(runEnv))
		for n := range runEnv {
			runNames = append(runNames, n)
		}
		sort.Strings(runNames)
		for _, n := range runNames {
			if !set[n] {
				c.add("env", p, "%s is set for %s in dapr.yaml but not here", n, p.appID())
			}
		}
		if set["APP_ID"] && envValue(ct, "APP_ID") != p.appID() {
			c.add("env", p, "APP_ID %q differs from dapr.io/app-id %q", envValue(ct, "APP_ID"), p.appID())
		}
		if port := p.tmpl.Annotations["dapr.io/app-port"]; envValue(ct, "APP_PORT") != port {
			c.add("env", p, "APP_PORT %q differs from dapr.io/app-port %q", envValue(ct, "APP_PORT"), port)
		}
	}
}

func appContainer(p pod) *corev1.Container {
	for i := range p.tmpl.Spec.Containers {
		if p.tmpl.Spec.Containers[i].Name == "app" {
			return &p.tmpl.Spec.Containers[i]
		}
	}
	return nil
}

func envValue(ct *corev1.Container, name string) string {
	for _, e := range ct.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// secretRefs: every Secret something reads is one the documentation creates.
func (c *checker) secretRefs() {
	need := func(o fmt.Stringer, name, where string) {
		if name != "" && !c.repo.createdSecrets[name] {
			c.add("secret-ref", o, "%s reads Secret %q, which docs/kubernetes.md does not create", where, name)
		}
	}
	for _, p := range c.pods {
		for _, k := range []string{"dapr.io/app-token-secret", "dapr.io/api-token-secret", "dapr.io/env-from-secret"} {
			need(p, p.tmpl.Annotations[k], k)
		}
		for _, ct := range append(slices.Clone(p.tmpl.Spec.InitContainers), p.tmpl.Spec.Containers...) {
			for _, e := range ct.Env {
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					need(p, e.ValueFrom.SecretKeyRef.Name, "env "+e.Name)
				}
			}
			for _, ef := range ct.EnvFrom {
				if ef.SecretRef != nil {
					need(p, ef.SecretRef.Name, "envFrom")
				}
			}
		}
		for _, v := range p.tmpl.Spec.Volumes {
			if v.Secret != nil {
				need(p, v.Secret.SecretName, "volume "+v.Name)
			}
			if v.Projected != nil {
				for _, s := range v.Projected.Sources {
					if s.Secret != nil {
						need(p, s.Secret.Name, "volume "+v.Name)
					}
				}
			}
		}
	}
	for _, ing := range objectsOf[*networkingv1.Ingress](c) {
		for _, t := range ing.Spec.TLS {
			need(stringer("Ingress/"+ing.Name), t.SecretName, "tls")
		}
	}
	for _, comp := range objectsOf[*componentsapi.Component](c) {
		for _, md := range comp.Spec.Metadata {
			need(stringer("Component/"+comp.Name), md.SecretKeyRef.Name, "metadata "+md.Name)
		}
	}
}

// localComponents: every component a local run has exists in the cluster too
// (same name; the type may differ, as localstorage and gcp.bucket do).
func (c *checker) localComponents() {
	have := map[string]bool{}
	for _, comp := range objectsOf[*componentsapi.Component](c) {
		have[comp.Name] = true
		// Who may publish or subscribe is the same locally and in the cluster.
		got := map[string]string{}
		for _, md := range comp.Spec.Metadata {
			if slices.Contains(policyMetadata, md.Name) {
				got[md.Name] = md.Value.String()
			}
		}
		want := c.repo.localPolicy[comp.Name]
		for _, k := range policyMetadata {
			if got[k] != want[k] {
				c.add("scope", stringer("Component/"+comp.Name), "metadata %s differs from components/ (%q here, %q locally)", k, got[k], want[k])
			}
		}
	}
	for _, name := range c.repo.localComponents {
		if !have[name] {
			c.add("scope", stringer("Component/"+name), "is in components/ but not in this overlay")
		}
	}
}

// appIDs returns every Dapr app id in the overlay.
func (c *checker) appIDs() map[string]bool {
	ids := map[string]bool{}
	for _, p := range c.pods {
		if p.isDapr() {
			ids[p.appID()] = true
		}
	}
	return ids
}

// scopes: every component is scoped, to app ids that exist.
func (c *checker) scopes() {
	ids := c.appIDs()
	for _, comp := range objectsOf[*componentsapi.Component](c) {
		o := stringer("Component/" + comp.Name)
		if len(comp.Scopes) == 0 {
			c.add("scope", o, "no scopes: every app would load it")
		}
		for _, s := range comp.Scopes {
			if !ids[s] {
				c.add("scope", o, "scope %q is not the app id of any pod", s)
			}
		}
	}
}

// breakers: no circuit breaker on app targets. Dapr counts every answer above
// 399 as a failure of the target, so one user's bad requests would open it for all.
func (c *checker) breakers() {
	for _, r := range objectsOf[*resiliencyapi.Resiliency](c) {
		o := stringer("Resiliency/" + r.Name)
		if !reflect.DeepEqual(r.Spec, c.repo.localResiliency.Spec) {
			c.add("resiliency", o, "differs from components/resiliency.yaml (keep the two the same, comments aside)")
		}
		for name := range r.Spec.Policies.CircuitBreakers {
			if strings.HasPrefix(name, "DefaultApp") || name == "DefaultCircuitBreakerPolicy" {
				c.add("circuit-breaker", o, "policy %s puts a circuit breaker on every app", name)
			}
		}
		for app, t := range r.Spec.Targets.Apps {
			if t.CircuitBreaker != "" {
				c.add("circuit-breaker", o, "app target %s has circuit breaker %s", app, t.CircuitBreaker)
			}
		}
	}
}

// networkPolicies: deny by default, in both directions.
func (c *checker) networkPolicies() {
	for _, np := range objectsOf[*networkingv1.NetworkPolicy](c) {
		if len(np.Spec.PodSelector.MatchLabels) == 0 && len(np.Spec.PodSelector.MatchExpressions) == 0 &&
			len(np.Spec.Ingress) == 0 && len(np.Spec.Egress) == 0 &&
			slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) &&
			slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) {
			return
		}
	}
	c.add("network-policy", stringer(c.overlay), "no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)")
}

// disruption: every app keeps serving through drains and rollouts: a PDB,
// spread across nodes when it has replicas to spread, and a preStop pause so
// endpoints are removed before the process stops.
func (c *checker) disruption() {
	pdbs := objectsOf[*policyv1.PodDisruptionBudget](c)
	for _, p := range c.pods {
		// The apps; Postgres and RabbitMQ are single pods a budget cannot keep up.
		if p.owner.Kind != "Deployment" || !p.isDapr() {
			continue
		}
		var covered *policyv1.PodDisruptionBudget
		for _, pdb := range pdbs {
			if sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector); err == nil && sel.Matches(labels.Set(p.tmpl.Labels)) {
				covered = pdb
			}
		}
		switch {
		case covered == nil:
			c.add("disruption", p, "no PodDisruptionBudget selects it")
		case p.replicas == 1 && covered.Spec.MinAvailable != nil && covered.Spec.MinAvailable.IntValue() >= 1:
			c.add("disruption", p, "one replica with minAvailable %s: a node drain could never evict it", covered.Spec.MinAvailable.String())
		}
		if p.replicas > 1 && len(p.tmpl.Spec.TopologySpreadConstraints) == 0 {
			c.add("disruption", p, "%d replicas without topologySpreadConstraints", p.replicas)
		}
		for _, tsc := range p.tmpl.Spec.TopologySpreadConstraints {
			sel, err := metav1.LabelSelectorAsSelector(tsc.LabelSelector)
			if tsc.LabelSelector == nil || err != nil || !sel.Matches(labels.Set(p.tmpl.Labels)) {
				c.add("disruption", p, "a topology spread constraint's labelSelector does not select the pod itself")
				continue
			}
			// The API server refuses a key in both (pod validation).
			for _, k := range tsc.MatchLabelKeys {
				if _, ok := tsc.LabelSelector.MatchLabels[k]; ok || slices.ContainsFunc(tsc.LabelSelector.MatchExpressions, func(e metav1.LabelSelectorRequirement) bool { return e.Key == k }) {
					c.add("disruption", p, "topology spread key %s is in both matchLabelKeys and labelSelector", k)
				}
			}
		}
		ct := appContainer(p)
		if ct == nil {
			continue
		}
		if ct.Lifecycle == nil || ct.Lifecycle.PreStop == nil {
			c.add("disruption", p, "app container has no preStop hook (requests still routed to a stopping pod answer 502)")
			continue
		}
		// The pause, then daprd's graceful shutdown, must end before the kubelet
		// kills the pod.
		var pause int64
		if sl := ct.Lifecycle.PreStop.Sleep; sl != nil {
			pause = sl.Seconds
		}
		graceful, _ := strconv.ParseInt(p.tmpl.Annotations["dapr.io/graceful-shutdown-seconds"], 10, 64)
		if grace := ptrOr(p.tmpl.Spec.TerminationGracePeriodSeconds, 30); pause+graceful >= grace {
			c.add("disruption", p, "preStop %ds + sidecar graceful shutdown %ds do not fit in terminationGracePeriodSeconds %d", pause, graceful, grace)
		}
	}
}

// serviceAccounts: one identity per app (Dapr's mTLS identity and the secret
// store's permissions come from it), and no API token where nothing uses it.
func (c *checker) serviceAccounts() {
	sas := map[string]*corev1.ServiceAccount{}
	for _, sa := range objectsOf[*corev1.ServiceAccount](c) {
		sas[sa.Name] = sa
	}
	readers := c.secretReaders()
	usedBy := map[string]string{}
	for _, p := range c.pods {
		name := p.tmpl.Spec.ServiceAccountName
		automount := p.tmpl.Spec.AutomountServiceAccountToken
		if sa := sas[name]; automount == nil && sa != nil {
			automount = sa.AutomountServiceAccountToken
		}
		mounted := automount == nil || *automount
		if !p.isDapr() {
			if mounted {
				c.add("service-account", p, "mounts a Kubernetes API token it never uses (set automountServiceAccountToken: false)")
			}
			continue
		}
		switch {
		case name == "" || name == "default":
			c.add("service-account", p, "runs as the namespace's default ServiceAccount")
		case sas[name] == nil:
			c.add("service-account", p, "ServiceAccount %q is not in the manifests", name)
		case usedBy[name] != "":
			c.add("service-account", p, "shares ServiceAccount %q with %s", name, usedBy[name])
		}
		usedBy[name] = p.String()
		if readers[p.appID()] {
			if !mounted {
				c.add("service-account", p, "reads the Kubernetes secret store, which needs the pod's API token")
			}
			continue
		}
		if mounted {
			c.add("service-account", p, "reads no secret store but mounts an API token (set automountServiceAccountToken: false)")
		}
		if p.tmpl.Annotations["dapr.io/disable-builtin-k8s-secret-store"] != "true" {
			c.add("service-account", p, "reads no secret store: set dapr.io/disable-builtin-k8s-secret-store: \"true\"")
		}
	}
}

// secretReaders returns the app ids in scope of a Kubernetes secret store.
func (c *checker) secretReaders() map[string]bool {
	out := map[string]bool{}
	for _, comp := range objectsOf[*componentsapi.Component](c) {
		if comp.Spec.Type == "secretstores.kubernetes" {
			for _, s := range comp.Scopes {
				out[s] = true
			}
		}
	}
	return out
}

// secretAccess: an app's ServiceAccount can get exactly the secrets its code
// reads from the secret store, by name, and nothing else.
func (c *checker) secretAccess() {
	roles := map[string]*rbacv1.Role{}
	for _, r := range objectsOf[*rbacv1.Role](c) {
		roles[r.Name] = r
		for _, rule := range r.Rules {
			if slices.Contains(rule.Resources, "secrets") && (len(rule.ResourceNames) == 0 || slices.ContainsFunc(rule.Verbs, func(v string) bool { return v != "get" })) {
				c.add("secret-access", stringer("Role/"+r.Name), "secrets must be granted by name and with verb get only")
			}
		}
	}
	granted := map[string][]string{} // ServiceAccount -> secret names
	for _, rb := range objectsOf[*rbacv1.RoleBinding](c) {
		role := roles[rb.RoleRef.Name]
		if rb.RoleRef.Kind != "Role" || role == nil {
			c.add("secret-access", stringer("RoleBinding/"+rb.Name), "binds %s %q, which is not in the manifests", rb.RoleRef.Kind, rb.RoleRef.Name)
			continue
		}
		for _, s := range rb.Subjects {
			for _, rule := range role.Rules {
				if slices.Contains(rule.Resources, "secrets") {
					granted[s.Name] = append(granted[s.Name], rule.ResourceNames...)
				}
			}
		}
	}
	readers := c.secretReaders()
	for _, p := range c.pods {
		if !p.isDapr() {
			continue
		}
		app := c.appOf(p)
		if app == nil {
			continue
		}
		var want []string
		if readers[p.appID()] {
			want = app.secrets
		} else if len(app.secrets) > 0 {
			c.add("secret-access", p, "apps/%s reads %v but is not in scope of a Kubernetes secret store", p.owner.Name, app.secrets)
		}
		got := slices.Clone(granted[p.tmpl.Spec.ServiceAccountName])
		sort.Strings(got)
		got = slices.Compact(got)
		for _, s := range want {
			if !slices.Contains(got, s) {
				c.add("secret-access", p, "apps/%s reads secret %q, which its ServiceAccount may not get", p.owner.Name, s)
			}
		}
		for _, s := range got {
			if !slices.Contains(want, s) {
				c.add("secret-access", p, "its ServiceAccount may get secret %q, which apps/%s never reads", s, p.owner.Name)
			}
		}
	}
}

var digestRe = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)

// images: pinned in every overlay (a tag that is not "latest"); by digest in prod.
func (c *checker) images() {
	if c.overlay == "base" {
		return
	}
	for _, p := range c.pods {
		for _, ct := range append(slices.Clone(p.tmpl.Spec.InitContainers), p.tmpl.Spec.Containers...) {
			img := ct.Image
			name := img
			if i := strings.Index(img, "@"); i >= 0 {
				name = img[:i]
			}
			tagged := strings.LastIndex(name, ":") > strings.LastIndex(name, "/")
			switch {
			case c.overlay == "prod" && !digestRe.MatchString(img) && !strings.Contains(img, "@sha256:PLACEHOLDER"):
				c.add("image", p, "container %s: image %q is not pinned by digest (prod)", ct.Name, img)
			case !tagged && !strings.Contains(img, "@"):
				c.add("image", p, "container %s: image %q has no tag", ct.Name, img)
			case strings.HasSuffix(name, ":latest"):
				c.add("image", p, "container %s: image %q floats (latest)", ct.Name, img)
			}
		}
	}
}

// placeholderValueRe finds a marked placeholder and the word or address around it.
var placeholderValueRe = regexp.MustCompile(`[\w.:/@-]*(PLACEHOLDER|example\.(com|org|net))[\w.:/@-]*`)

// placeholders: values the operator must replace before an apply. They are
// allowed in the repository; -release refuses them.
func (c *checker) placeholders() {
	if !c.release {
		return
	}
	for _, o := range c.objs {
		b, err := json.Marshal(o.Obj)
		if err != nil {
			c.add("placeholder", o, "%v", err)
			continue
		}
		for _, m := range placeholderValueRe.FindAllString(string(b), -1) {
			c.add("placeholder", o, "still has a placeholder (%s); replace it before applying", m)
		}
	}
}

// memory: every container has a memory request and limit; Go apps set
// GOMEMLIMIT below their limit (else the GC lets the heap reach twice the live
// size and the kernel kills the pod); the sidecar gets limits too.
func (c *checker) memory() {
	for _, p := range c.pods {
		for _, ct := range p.tmpl.Spec.Containers {
			lim, ok := ct.Resources.Limits[corev1.ResourceMemory]
			if !ok {
				c.add("memory", p, "container %s has no memory limit", ct.Name)
				continue
			}
			if _, ok := ct.Resources.Requests[corev1.ResourceMemory]; !ok {
				c.add("memory", p, "container %s has no memory request", ct.Name)
			}
			if !p.isDapr() || ct.Name != "app" {
				continue
			}
			gml := envValue(&ct, "GOMEMLIMIT")
			q, err := resource.ParseQuantity(strings.TrimSuffix(strings.TrimSuffix(gml, "B"), "b"))
			switch {
			case gml == "":
				c.add("memory", p, "app container sets no GOMEMLIMIT")
			case err != nil || q.Cmp(lim) >= 0:
				c.add("memory", p, "GOMEMLIMIT %q must be below the memory limit %s", gml, lim.String())
			}
		}
		if p.isDapr() {
			if p.tmpl.Annotations["dapr.io/sidecar-memory-limit"] == "" || p.tmpl.Annotations["dapr.io/sidecar-memory-request"] == "" {
				c.add("memory", p, "sidecar has no memory request and limit (dapr.io/sidecar-memory-*)")
			}
			if !strings.Contains(p.tmpl.Annotations["dapr.io/env"], "GOMEMLIMIT=") {
				c.add("memory", p, "sidecar has no soft memory limit (dapr.io/env: GOMEMLIMIT=...)")
			}
		}
	}
}

var maxConnRe = regexp.MustCompile(`max_connections=(\d+)`)

// connections: the apps' pools and the state stores' pools fit in Postgres's
// max_connections with room for the superuser, the init Job and backups.
func (c *checker) connections() {
	max := 0
	for _, p := range c.pods {
		for _, ct := range p.tmpl.Spec.Containers {
			for _, a := range append(slices.Clone(ct.Command), ct.Args...) {
				if m := maxConnRe.FindStringSubmatch(a); m != nil {
					max, _ = strconv.Atoi(m[1])
				}
			}
		}
	}
	if max == 0 {
		c.add("connections", stringer(c.overlay), "Postgres has no explicit max_connections (args -c max_connections=N)")
		return
	}
	const reserved = 3 + 5 // superuser_reserved_connections, init Job, backup, psql by hand
	total := 0
	var parts []string
	replicas := map[string]int32{}
	for _, p := range c.pods {
		if !p.isDapr() {
			continue
		}
		pods := p.replicas + surge(p)
		replicas[p.appID()] = pods
		app := c.appOf(p)
		if app == nil {
			continue
		}
		if _, reads := app.env["DATABASE_MAX_CONNS"]; !reads {
			continue
		}
		ct := appContainer(p)
		v := envValue(ct, "DATABASE_MAX_CONNS")
		if v == "" {
			c.add("connections", p, "DATABASE_MAX_CONNS is not set (the pool size must come from the budget)")
			continue
		}
		n, _ := strconv.Atoi(v)
		total += n * int(pods)
		parts = append(parts, fmt.Sprintf("%s %dx%d", p.owner.Name, pods, n))
	}
	for _, comp := range objectsOf[*componentsapi.Component](c) {
		if !strings.HasPrefix(comp.Spec.Type, "state.postgresql") {
			continue
		}
		n := 0
		for _, md := range comp.Spec.Metadata {
			if md.Name == "maxConns" {
				n, _ = strconv.Atoi(md.Value.String())
			}
		}
		if n == 0 {
			c.add("connections", stringer("Component/"+comp.Name), "no maxConns: pgx then opens up to one per node CPU")
			continue
		}
		for _, s := range comp.Scopes {
			total += n * int(replicas[s])
			parts = append(parts, fmt.Sprintf("%s %dx%d", comp.Name, replicas[s], n))
		}
	}
	c.budget = fmt.Sprintf("%d of %d Postgres connections (+%d reserved): %s", total, max, reserved, strings.Join(parts, ", "))
	if total+reserved > max {
		c.add("connections", stringer(c.overlay), "pools need %d connections (+%d reserved) but Postgres allows %d: %s", total, reserved, max, strings.Join(parts, ", "))
	}
}

// surge is how many extra pods a rolling update of p runs at once.
func surge(p pod) int32 {
	d, ok := p.owner.Obj.(*appsv1.Deployment)
	if !ok || d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType {
		return 0
	}
	if ru := d.Spec.Strategy.RollingUpdate; ru != nil && ru.MaxSurge != nil && ru.MaxSurge.Type == intstr.Int {
		return int32(ru.MaxSurge.IntValue())
	}
	return (p.replicas + 3) / 4 // the default, 25 % rounded up
}

var hashSuffixRe = regexp.MustCompile(`-[bcdfghkmt2-9]{10}$`)

// jobs: a Job's pod template is immutable, so it must not change on every
// content change (no hash-suffixed ConfigMap), and a Job must end.
func (c *checker) jobs() {
	for _, p := range c.pods {
		var spec *batchv1.JobSpec
		switch w := p.owner.Obj.(type) {
		case *batchv1.Job:
			spec = &w.Spec
		case *batchv1.CronJob:
			spec = &w.Spec.JobTemplate.Spec
		default:
			continue
		}
		if spec.ActiveDeadlineSeconds == nil {
			c.add("job", p, "no activeDeadlineSeconds: a stuck run never ends")
		}
		if p.owner.Kind == "Job" && spec.TTLSecondsAfterFinished == nil {
			c.add("job", p, "no ttlSecondsAfterFinished: the finished Job blocks the next apply of a changed template")
		}
		for _, v := range p.tmpl.Spec.Volumes {
			if v.ConfigMap != nil && hashSuffixRe.MatchString(v.ConfigMap.Name) {
				c.add("job", p, "volume %s uses hash-suffixed ConfigMap %s: every change alters the immutable template", v.Name, v.ConfigMap.Name)
			}
		}
	}
}

// metrics: every sidecar's metrics are scraped.
func (c *checker) metrics() {
	for _, p := range c.pods {
		if !p.isDapr() {
			continue
		}
		port := p.tmpl.Annotations["dapr.io/metrics-port"]
		if port == "" {
			port = "9090"
		}
		a := p.tmpl.Annotations
		if a["prometheus.io/scrape"] != "true" || a["prometheus.io/port"] != port {
			c.add("metrics", p, "no scrape annotations for the sidecar's metrics (prometheus.io/scrape \"true\", prometheus.io/port %q)", port)
		}
	}
}

// storage: Postgres and RabbitMQ keep their data on a claim, never an emptyDir.
func (c *checker) storage() {
	for _, ss := range objectsOf[*appsv1.StatefulSet](c) {
		if len(ss.Spec.VolumeClaimTemplates) == 0 {
			c.add("storage", stringer("StatefulSet/"+ss.Name), "no volumeClaimTemplates: data would not persist")
		}
		for _, v := range ss.Spec.Template.Spec.Volumes {
			if v.EmptyDir != nil {
				c.add("storage", stringer("StatefulSet/"+ss.Name), "volume %s is an emptyDir", v.Name)
			}
		}
	}
}

var (
	secretNameRe = regexp.MustCompile(`(PASS|PASSWORD|SECRET|TOKEN|KEY)`)
	inlineCredRe = regexp.MustCompile(`(amqp|postgres|postgresql)://[^:/@\s]+:[^@\s]+@`)
)

// literals: no secret as a literal value in the manifests.
func (c *checker) literals() {
	for _, p := range c.pods {
		for _, ct := range p.tmpl.Spec.Containers {
			for _, e := range ct.Env {
				if e.Value != "" && secretNameRe.MatchString(e.Name) {
					c.add("literal-secret", p, "env %s has a literal value; take it from a Secret", e.Name)
				}
				if inlineCredRe.MatchString(e.Value) {
					c.add("literal-secret", p, "env %s has a URL with credentials", e.Name)
				}
			}
		}
	}
	for _, comp := range objectsOf[*componentsapi.Component](c) {
		for _, md := range comp.Spec.Metadata {
			if inlineCredRe.MatchString(md.Value.String()) {
				c.add("literal-secret", stringer("Component/"+comp.Name), "metadata %s has a URL with credentials", md.Name)
			}
		}
	}
}

// backup: a scheduled pg_dump exists.
func (c *checker) backup() {
	for _, cj := range objectsOf[*batchv1.CronJob](c) {
		for _, ct := range cj.Spec.JobTemplate.Spec.Template.Spec.Containers {
			if strings.Contains(strings.Join(append(slices.Clone(ct.Command), ct.Args...), " "), "pg_dump") {
				return
			}
		}
	}
	c.add("backup", stringer(c.overlay), "no CronJob runs pg_dump")
}

type stringer string

func (s stringer) String() string { return string(s) }

// appToken: daprd and its app share two tokens, each from a Secret's key
// "token" (the key Dapr's injector reads): the app API token (annotation
// dapr.io/app-token-secret, APP_API_TOKEN in every container) and the Dapr API
// token (dapr.io/api-token-secret, DAPR_API_TOKEN in the app container).
func (c *checker) appToken() {
	for _, p := range c.pods {
		if !p.isDapr() {
			continue
		}
		for _, tok := range []struct{ annotation, env string }{
			{"dapr.io/app-token-secret", "APP_API_TOKEN"},
			{"dapr.io/api-token-secret", "DAPR_API_TOKEN"},
		} {
			name := p.tmpl.Annotations[tok.annotation]
			if name == "" {
				c.add("app-token", p, "no %s annotation", tok.annotation)
				continue
			}
			for _, ct := range p.tmpl.Spec.Containers {
				if tok.env == "DAPR_API_TOKEN" && ct.Name != "app" {
					continue
				}
				ok := false
				for _, e := range ct.Env {
					if e.Name == tok.env && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil &&
						e.ValueFrom.SecretKeyRef.Name == name && e.ValueFrom.SecretKeyRef.Key == "token" {
						ok = true
					}
				}
				if !ok {
					c.add("app-token", p, "container %s: %s must come from Secret %s key token", ct.Name, tok.env, name)
				}
			}
		}
	}
}
