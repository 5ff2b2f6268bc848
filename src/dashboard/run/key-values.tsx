/** A two-column table of names and values, every one rendered as text. */
export function KeyValues({ rows, empty }: { rows: Array<[string, string]>; empty: string }) {
  if (rows.length === 0) return <p class="empty">{empty}</p>;
  return (
    <table class="kv">
      <tbody>
        {rows.map(([key, value], index) => (
          <tr key={`${index}:${key}`}>
            <th scope="row">{key}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
