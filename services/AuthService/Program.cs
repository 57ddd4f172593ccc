Console.WriteLine("authservice");
