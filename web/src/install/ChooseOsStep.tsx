/**
 * The first page of the install window, as OVHcloud's panel has it: a menu of categories where "Custom" holds
 * "Bring Your Own Image - byoi".
 */
export function ChooseOsStep({ chosen, onChoose }: { chosen: boolean; onChoose: (chosen: boolean) => void }) {
  return (
    <div className="grid gap-4 md:grid-cols-[12rem_1fr]">
      <nav aria-label="Operating system categories">
        <ul className="menu w-full rounded-box bg-base-200">
          <li className="menu-title">Category</li>
          <li>
            <button type="button" className="menu-active" aria-current="true">
              Custom
            </button>
          </li>
        </ul>
        <p className="mt-2 px-2 text-xs text-base-content/60">byoi installs your own images; there is no provider template.</p>
      </nav>
      <fieldset>
        <legend className="mb-2 font-medium">Custom</legend>
        <label className="flex cursor-pointer items-start gap-3 rounded-box border border-base-300 p-4 has-checked:border-primary has-checked:bg-primary/5">
          <input type="radio" name="operatingSystem" value="byoi_64" className="radio radio-primary mt-1" checked={chosen} onChange={() => onChoose(true)} />
          <span>
            <span className="block font-semibold">Bring Your Own Image - byoi</span>
            <span className="block text-sm text-base-content/70">
              Deploy your own cloud-ready image (qcow2 or raw) from a URL, with a cloud-init config drive for the hostname, SSH key and user data.
            </span>
            <code className="mt-1 inline-block text-xs text-base-content/60">byoi_64</code>
          </span>
        </label>
      </fieldset>
    </div>
  );
}
