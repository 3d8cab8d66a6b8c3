import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { api, session, unwrap } from "../api/client.ts";
import { isApiError } from "../api/errors.ts";
import { Link, navigate, useLocation } from "../app/router.tsx";
import { Alert } from "../ui/Alert.tsx";
import { Button } from "../ui/Button.tsx";
import { TextField } from "../ui/Field.tsx";
import { FormError, useWaiting } from "../ui/FormError.tsx";
import { applyServerErrors, needsFormError } from "../ui/formErrors.ts";
import { PageHeading } from "../ui/PageHeading.tsx";
import { AuthCard } from "./AuthCard.tsx";
import { type LoginValues, loginSchema, safeNext } from "./forms.ts";
import { useSession } from "./useSession.ts";

const reasons = {
  signed_out: { tone: "info", text: "You have logged out." },
  session_ended: {
    tone: "warning",
    text: "Your session has ended on every device (it expired, your password changed, or it was used somewhere else). Please log in again.",
  },
  account_deleted: { tone: "info", text: "Your account and everything in it have been deleted." },
} as const;

export function LoginPage() {
  const state = useSession();
  const { search } = useLocation();
  const next = safeNext(search.get("next"));
  const form = useForm<LoginValues>({ resolver: zodResolver(loginSchema), defaultValues: { email: "", password: "" } });
  const login = useMutation({
    mutationFn: (values: LoginValues) => unwrap(api.POST("/api/v1/auth/login", { body: values })),
    onSuccess: (data) => {
      session.signIn(data);
      navigate(next, { replace: true });
    },
    onError: (err) => {
      applyServerErrors(err, form.setError, ["email", "password"]);
    },
  });
  const waiting = useWaiting(login.error);
  const reason = state.status === "signed_out" && state.reason ? reasons[state.reason] : null;
  const wrongCredentials = isApiError(login.error, "unauthorized")
    ? { title: "Those details didn't work", message: "The email or password is incorrect. Check them and try again." }
    : null;

  return (
    <AuthCard>
      <PageHeading title="Log in">Log in to Assay</PageHeading>
      {reason && !login.isPending && (
        <div className="mt-4">
          <Alert tone={reason.tone}>{reason.text}</Alert>
        </div>
      )}
      <form className="mt-6 space-y-4" noValidate onSubmit={form.handleSubmit((values) => login.mutate(values))}>
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          inputMode="email"
          error={form.formState.errors.email?.message}
          {...form.register("email")}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          error={form.formState.errors.password?.message}
          {...form.register("password")}
        />
        {needsFormError(login.error, ["email", "password"]) && <FormError error={login.error} override={wrongCredentials} />}
        <Button type="submit" className="w-full" busy={login.isPending} disabled={waiting}>
          Log in
        </Button>
      </form>
      <p className="mt-6 text-sm text-slate-700">
        New to Assay?{" "}
        <Link to="/signup" className="font-semibold text-brand-700 underline underline-offset-2">
          Create an account
        </Link>
      </p>
    </AuthCard>
  );
}
