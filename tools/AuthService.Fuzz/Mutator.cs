namespace AuthService.Fuzz;

/// <summary>
/// Byte-level mutations in the style of AFL/libFuzzer: bit flips, random bytes, truncation, deletion, duplication,
/// insertion of random bytes or dictionary tokens, and splicing with another seed. Deterministic for a given
/// <see cref="Random"/>, so a seed replays the same inputs.
/// </summary>
internal sealed class Mutator(Random random, IReadOnlyList<byte[]> seeds, IReadOnlyList<byte[]> dictionary)
{
    /// <summary>A seed with one to four stacked mutations (sometimes the seed itself).</summary>
    public byte[] Next()
    {
        var input = new List<byte>(seeds[random.Next(seeds.Count)]);
        var rounds = random.Next(20) == 0 ? 0 : random.Next(1, 5);
        for (var i = 0; i < rounds; i++)
        {
            Mutate(input);
        }

        return [.. input];
    }

    private void Mutate(List<byte> input)
    {
        switch (random.Next(8))
        {
            case 0 when input.Count > 0:   // bit flip
                var at = random.Next(input.Count);
                input[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when input.Count > 0:   // random byte, biased to the interesting ones
                input[random.Next(input.Count)] = random.Next(3) switch { 0 => 0, 1 => 0xFF, _ => (byte)random.Next(256) };
                break;
            case 2 when input.Count > 0:   // truncation
                var keep = random.Next(input.Count);
                input.RemoveRange(keep, input.Count - keep);
                break;
            case 3 when input.Count > 1:   // deletion of a range
                var start = random.Next(input.Count);
                input.RemoveRange(start, random.Next(1, Math.Min(16, input.Count - start) + 1));
                break;
            case 4 when input.Count > 0:   // duplication of a range
                var from = random.Next(input.Count);
                var length = random.Next(1, Math.Min(64, input.Count - from) + 1);
                input.InsertRange(random.Next(input.Count + 1), input.GetRange(from, length));
                break;
            case 5:                         // random bytes inserted
                var bytes = new byte[random.Next(1, 9)];
                random.NextBytes(bytes);
                input.InsertRange(random.Next(input.Count + 1), bytes);
                break;
            case 6 when dictionary.Count > 0: // a dictionary token inserted or written over
                var token = dictionary[random.Next(dictionary.Count)];
                var position = random.Next(input.Count + 1);
                if (random.Next(2) == 0 || position + token.Length > input.Count)
                {
                    input.InsertRange(position, token);
                }
                else
                {
                    for (var i = 0; i < token.Length; i++)
                    {
                        input[position + i] = token[i];
                    }
                }

                break;
            default:                        // splice: this input's head with another seed's tail
                var other = seeds[random.Next(seeds.Count)];
                var cut = random.Next(input.Count + 1);
                input.RemoveRange(cut, input.Count - cut);
                input.AddRange(other.Skip(random.Next(other.Length + 1)));
                break;
        }
    }
}
