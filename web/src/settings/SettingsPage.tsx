import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { useForm } from "react-hook-form";
import { api, session, unwrap } from "../api/client.ts";
import { isApiError } from "../api/errors.ts";
import { navigate } from "../app/router.tsx";
import {
  type DeleteAccountValues,
  deleteAccountSchema,
  type PasswordValues,
  passwordSchema,
  type ProfileValues,
  profileSchema,
} from "../auth/forms.ts";
import { useUser } from "../auth/useSession.ts";
import { Alert } from "../ui/Alert.tsx";
import { Button } from "../ui/Button.tsx";
import { ConfirmDialog } from "../ui/ConfirmDialog.tsx";
import { TextField } from "../ui/Field.tsx";
import { FormError, useWaiting } from "../ui/FormError.tsx";
import { applyServerErrors, needsFormError } from "../ui/formErrors.ts";
import { PageHeading } from "../ui/PageHeading.tsx";

function Card({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="rounded-xl bg-white p-5 ring-1 ring-slate-200 sm:p-6">
      <h2 id={id} className="mb-4 text-lg font-semibold text-slate-900">
        {title}
      </h2>
      {children}
    </section>
  );
}

function ProfileForm() {
  const user = useUser();
  const form = useForm<ProfileValues>({ resolver: zodResolver(profileSchema), defaultValues: { displayName: user.displayName } });
  const save = useMutation({
    mutationFn: (values: ProfileValues) => unwrap(api.PATCH("/api/v1/me", { body: values })),
    onSuccess: (updated) => {
      session.updateUser(updated);
      form.reset({ displayName: updated.displayName });
    },
    onError: (err) => applyServerErrors(err, form.setError, ["displayName"]),
  });
  return (
    <form noValidate className="space-y-4" onSubmit={form.handleSubmit((v) => save.mutate(v))}>
      <TextField label="Email" value={user.email} readOnly disabled hint="Your email can't be changed." />
      <TextField label="Name" autoComplete="name" error={form.formState.errors.displayName?.message} {...form.register("displayName")} />
      {needsFormError(save.error, ["displayName"]) && <FormError error={save.error} />}
      {save.isSuccess && !form.formState.isDirty && <Alert tone="success">Your name is saved.</Alert>}
      <Button type="submit" busy={save.isPending}>
        Save name
      </Button>
    </form>
  );
}

function PasswordForm() {
  const user = useUser();
  const form = useForm<PasswordValues>({
    resolver: zodResolver(passwordSchema),
    defaultValues: { currentPassword: "", newPassword: "", confirmPassword: "" },
  });
  const change = useMutation({
    mutationFn: async ({ currentPassword, newPassword }: PasswordValues) => {
      await unwrap(api.PATCH("/api/v1/me", { body: { currentPassword, newPassword } }));
      // A password change revokes every refresh token, this browser's too: sign in again with the new one.
      return unwrap(api.POST("/api/v1/auth/login", { body: { email: user.email, password: newPassword } }));
    },
    onSuccess: (fresh) => {
      session.signIn(fresh);
      form.reset();
    },
    onError: (err) => {
      if (isApiError(err, "unauthorized")) form.setError("currentPassword", { type: "server", message: "That isn't your current password" }, { shouldFocus: true });
      else applyServerErrors(err, form.setError, ["currentPassword", "newPassword"]);
    },
  });
  const { errors } = form.formState;
  return (
    <form noValidate className="space-y-4" onSubmit={form.handleSubmit((v) => change.mutate(v))}>
      <TextField label="Current password" type="password" autoComplete="current-password" error={errors.currentPassword?.message} {...form.register("currentPassword")} />
      <TextField
        label="New password"
        type="password"
        autoComplete="new-password"
        hint="8 to 128 characters. Other devices will be signed out."
        error={errors.newPassword?.message}
        {...form.register("newPassword")}
      />
      <TextField label="Confirm new password" type="password" autoComplete="new-password" error={errors.confirmPassword?.message} {...form.register("confirmPassword")} />
      {!isApiError(change.error, "unauthorized") && needsFormError(change.error, ["currentPassword", "newPassword"]) && <FormError error={change.error} />}
      {change.isSuccess && <Alert tone="success">Password changed. Other devices have been signed out.</Alert>}
      <Button type="submit" busy={change.isPending}>
        Change password
      </Button>
    </form>
  );
}

/** Saves GET /me/export as the file the server names (the whole account, as JSON). */
async function downloadExport(): Promise<void> {
  const call = api.GET("/api/v1/me/export", { parseAs: "blob" });
  const blob = await unwrap(call);
  const disposition = (await call).response.headers.get("content-disposition") ?? "";
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = /filename="([^"]+)"/.exec(disposition)?.[1] ?? "assay-export.json";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function DownloadData() {
  const download = useMutation({ mutationFn: downloadExport });
  const waiting = useWaiting(download.error);
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-700">
        A JSON file with everything your account holds: your profile, every assessment with its answers, scores and analysis, and your
        conversations with the coach. You can download it a few times an hour.
      </p>
      <FormError error={download.error} />
      {download.isSuccess && <Alert tone="success">Your data was downloaded.</Alert>}
      <Button variant="secondary" busy={download.isPending} disabled={waiting} onClick={() => download.mutate()}>
        Download my data
      </Button>
    </div>
  );
}

function DeleteAccount() {
  const [open, setOpen] = useState(false);
  const form = useForm<DeleteAccountValues>({ resolver: zodResolver(deleteAccountSchema), defaultValues: { password: "" } });
  const remove = useMutation({
    mutationFn: (values: DeleteAccountValues) => unwrap(api.DELETE("/api/v1/me", { body: values })),
    onSuccess: () => {
      session.forget("account_deleted");
      navigate("/login", { replace: true });
    },
    onError: (err) => {
      if (isApiError(err, "unauthorized")) form.setError("password", { type: "server", message: "That password isn't right" }, { shouldFocus: true });
      else applyServerErrors(err, form.setError, ["password"]);
    },
  });
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-700">Deletes your account, your assessments and your conversations, for good.</p>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Delete my account…
      </Button>
      <ConfirmDialog
        open={open}
        onOpenChange={(next) => {
          setOpen(next);
          if (!next) form.reset();
        }}
        title="Delete your account?"
        description="This removes your account and everything in it. It can't be undone."
        confirmLabel="Delete everything"
        busy={remove.isPending}
        onConfirm={() => void form.handleSubmit((v) => remove.mutate(v))()}
      >
        <form noValidate onSubmit={form.handleSubmit((v) => remove.mutate(v))} className="space-y-3">
          <TextField label="Your password" type="password" autoComplete="current-password" error={form.formState.errors.password?.message} {...form.register("password")} />
          {!isApiError(remove.error, "unauthorized") && needsFormError(remove.error, ["password"]) && <FormError error={remove.error} />}
        </form>
      </ConfirmDialog>
    </div>
  );
}

export function SettingsPage() {
  return (
    <div className="space-y-6 py-6">
      <PageHeading title="Settings">Settings</PageHeading>
      <Card id="profile" title="Profile">
        <ProfileForm />
      </Card>
      <Card id="password" title="Password">
        <PasswordForm />
      </Card>
      <Card id="data" title="Your data">
        <DownloadData />
      </Card>
      <Card id="danger" title="Delete account">
        <DeleteAccount />
      </Card>
    </div>
  );
}
