import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../api/client.ts";
import { isApiError } from "../api/errors.ts";
import type { TemplateSummary } from "../api/types.ts";
import { assessmentKeys, useTemplates } from "../assessments/queries.ts";
import { Alert } from "../ui/Alert.tsx";
import { Button } from "../ui/Button.tsx";
import { ConfirmDialog } from "../ui/ConfirmDialog.tsx";
import { ErrorView } from "../ui/ErrorView.tsx";
import { TextAreaField } from "../ui/Field.tsx";
import { FormError } from "../ui/FormError.tsx";
import { Loading } from "../ui/Loading.tsx";
import { PageHeading } from "../ui/PageHeading.tsx";
import { newTemplateJson, parseTemplateJson, toEditorJson } from "./templateJson.ts";

type Editing = { mode: "create" } | { mode: "version"; slug: string };

function Editor({ editing, initial, onDone, onCancel }: { editing: Editing; initial: string; onDone: (message: string) => void; onCancel: () => void }) {
  const queryClient = useQueryClient();
  const [text, setText] = useState(initial);
  const [localError, setLocalError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: async (input: ReturnType<typeof parseTemplateJson> & { ok: true }) => {
      if (editing.mode === "create") return unwrap(api.POST("/api/v1/templates", { body: input.value }));
      const { slug: _slug, ...body } = input.value;
      return unwrap(api.PUT("/api/v1/templates/{slug}", { params: { path: { slug: editing.slug } }, body }));
    },
    onSuccess: (template) => {
      void queryClient.invalidateQueries({ queryKey: assessmentKeys.templates });
      onDone(editing.mode === "create" ? `Created “${template.title}” (version ${template.version}).` : `Published version ${template.version} of “${template.title}”.`);
    },
  });
  const details = isApiError(save.error, "validation_failed") ? save.error.details : [];
  const title = editing.mode === "create" ? "New template" : `New version of ${editing.slug}`;
  return (
    <section aria-labelledby="editor" className="space-y-4 rounded-xl bg-white p-5 ring-1 ring-slate-200 sm:p-6">
      <h2 id="editor" className="text-lg font-semibold text-slate-900">
        {title}
      </h2>
      <form
        noValidate
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          const parsed = parseTemplateJson(text);
          setLocalError(parsed.ok ? null : parsed.message);
          if (parsed.ok) save.mutate(parsed);
        }}
      >
        <TextAreaField
          label="Template JSON"
          hint="Questions: id, text, type (likert, single_choice, text), options, min, max, required, section. Scales: id, name, items, method (mean or sum), multiplier, supportAtOrBelow (a score at or below it shows the support contacts with the results)."
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setLocalError(null);
          }}
          error={localError ?? undefined}
          rows={20}
          spellCheck={false}
          className="font-mono text-sm"
        />
        {details.length > 0 && (
          <Alert tone="error" title="The API refused this template">
            <ul className="list-disc pl-5">
              {details.map((d) => (
                <li key={`${d.path}:${d.message}`}>
                  <code>{d.path || "(template)"}</code>: {d.message}
                </li>
              ))}
            </ul>
          </Alert>
        )}
        {details.length === 0 && <FormError error={save.error} />}
        <div className="flex flex-wrap gap-3">
          <Button type="submit" busy={save.isPending}>
            {editing.mode === "create" ? "Create template" : "Publish new version"}
          </Button>
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>
    </section>
  );
}

function TemplateRow({ template, onEdit, onUnpublish }: { template: TemplateSummary; onEdit: () => void; onUnpublish: () => void }) {
  return (
    <li className="flex flex-wrap items-center justify-between gap-3 px-4 py-4 sm:px-6">
      <div>
        <p className="font-semibold text-slate-900">{template.title}</p>
        <p className="text-sm text-slate-600">
          <code>{template.slug}</code> · version {template.version} · {template.questionCount} questions
        </p>
      </div>
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={onEdit} aria-label={`New version of ${template.title}`}>
          New version
        </Button>
        <Button variant="ghost" className="text-red-700 hover:bg-red-50" onClick={onUnpublish} aria-label={`Unpublish ${template.title}`}>
          Unpublish
        </Button>
      </div>
    </li>
  );
}

/** Admin: published templates, a JSON editor for new templates and versions, and unpublishing. */
export default function TemplatesAdminPage() {
  const queryClient = useQueryClient();
  const templates = useTemplates();
  const [editing, setEditing] = useState<{ editing: Editing; json: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [unpublishing, setUnpublishing] = useState<TemplateSummary | null>(null);

  const load = useMutation({
    mutationFn: (slug: string) => unwrap(api.GET("/api/v1/templates/{slug}", { params: { path: { slug } } })),
    onSuccess: (template) => setEditing({ editing: { mode: "version", slug: template.slug }, json: toEditorJson(template) }),
  });
  const unpublish = useMutation({
    mutationFn: (slug: string) => unwrap(api.DELETE("/api/v1/templates/{slug}", { params: { path: { slug } } })),
    onSuccess: (_data, slug) => {
      setUnpublishing(null);
      setNotice(`Unpublished ${slug}. Assessments already started keep their version.`);
      void queryClient.invalidateQueries({ queryKey: assessmentKeys.templates });
    },
  });

  return (
    <div className="space-y-6 py-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <PageHeading title="Templates">Templates</PageHeading>
        {!editing && (
          <Button
            onClick={() => {
              setNotice(null);
              setEditing({ editing: { mode: "create" }, json: newTemplateJson });
            }}
          >
            New template
          </Button>
        )}
      </div>
      {notice && <Alert tone="success">{notice}</Alert>}
      <FormError error={load.error} />
      {editing && (
        <Editor
          key={editing.editing.mode === "create" ? "create" : editing.editing.slug}
          editing={editing.editing}
          initial={editing.json}
          onCancel={() => setEditing(null)}
          onDone={(message) => {
            setEditing(null);
            setNotice(message);
          }}
        />
      )}
      {templates.isPending && <Loading label="Loading templates…" />}
      {templates.isError && <ErrorView error={templates.error} retry={() => void templates.refetch()} />}
      {templates.data && (
        <section aria-labelledby="published">
          <h2 id="published" className="mb-3 text-lg font-semibold text-slate-900">
            Published
          </h2>
          <ul className="divide-y divide-slate-200 rounded-xl bg-white ring-1 ring-slate-200">
            {templates.data.items.map((t) => (
              <TemplateRow
                key={t.slug}
                template={t}
                onEdit={() => {
                  setNotice(null);
                  load.mutate(t.slug);
                }}
                onUnpublish={() => setUnpublishing(t)}
              />
            ))}
          </ul>
        </section>
      )}
      <ConfirmDialog
        open={unpublishing !== null}
        onOpenChange={(open) => {
          if (!open) setUnpublishing(null);
        }}
        title={`Unpublish ${unpublishing?.title ?? ""}?`}
        description="People can no longer start it. Assessments already started or finished keep working."
        confirmLabel="Unpublish"
        busy={unpublish.isPending}
        onConfirm={() => unpublishing && unpublish.mutate(unpublishing.slug)}
      >
        <FormError error={unpublish.error} />
      </ConfirmDialog>
    </div>
  );
}
